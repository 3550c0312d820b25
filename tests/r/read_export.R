# read_export.R IN.csv OUT.txt -- R's read.csv of an `aims export` table, for
# tests/py/check_export.py: OUT.txt gets the column names (one line, comma
# separated), then every value as R read it, with 17 significant digits, so
# the checker can compare R's doubles with the HDF5 file's.
#
# check.names = FALSE keeps the sweep parameters' --set paths as column
# names (R would turn "timeline.[7].approval_prob" into
# "timeline..7..approval_prob"); "NaN" reads as NaN in a numeric column.
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], check.names = FALSE)
stopifnot(is.numeric(d$value))
v <- ifelse(is.nan(d$value), "NaN",
            ifelse(is.na(d$value), "NA", sprintf("%.17g", d$value)))
writeLines(c(paste(names(d), collapse = ","), v), args[2])
