/* rng.h -- named random streams over GSL generators.
 *
 * A stream is named by (master seed, sweep point, replication, purpose) and its
 * seed is a hash of that name, so its draws depend on nothing else: not on the
 * thread or MPI rank that runs it, not on which other streams exist or the
 * order they were created in. The same purpose in the same replication of two
 * scenarios draws the same numbers (common random numbers), which is what makes
 * paired scenario comparisons tight.
 *
 * Streams go per purpose ("adoption", "choice"), never per agent: even taus2's
 * small state plus GSL's allocation is ~80 bytes, and per-agent streams would
 * tie results to population order.
 *
 * The generator is GSL's taus2 (L'Ecuyer 1999, maximally equidistributed
 * combined Tausworthe, period 2^88, 24-byte state). Chosen by measurement: on
 * the PHOLD draw mix it costs 30 ns a event where mt19937 costs 41
 * (docs/engine.md), and it passes the statistical batteries that matter for
 * simulation. Its seeding takes 32 bits, so the 64-bit stream hash is folded to
 * 32: two distinct names collide with probability 2^-32 per pair (see
 * docs/engine.md for what this means at sweep scale).
 *
 * The struct is visible only so the hot draws below can be inlined; treat its
 * fields as private.
 */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include <assert.h>
#include <math.h>
#include <stdint.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "err.h"

typedef struct sim_rng {
    gsl_rng *gsl;     /* owned */
    uint64_t name;    /* the 64-bit hash of the stream's name */
    char purpose[48]; /* for messages; truncated if longer */
} sim_rng;

/* The 64-bit hash of a stream name. purpose must be a non-empty string. Exposed
 * for tests and for tools that record stream names. */
uint64_t sim_rng_hash(uint64_t seed, uint32_t point, uint32_t rep,
                      const char *purpose);

/* Creates the stream named (seed, point, rep, purpose) on the default generator
 * (taus2), or on `type` when it is not NULL (benchmarks compare generators this
 * way). Caller owns *out and frees it with sim_rng_free. Returns SIM_EINVAL for
 * an empty purpose, SIM_ENOMEM. */
int sim_rng_new(uint64_t seed, uint32_t point, uint32_t rep,
                const char *purpose, const gsl_rng_type *type, sim_rng **out,
                sim_err *err);
void sim_rng_free(sim_rng *r); /* NULL is a no-op */
/* A stream of r's generator type, for sim_rng_copy_state (its own state is
 * r's name's, unseeded: only a copied state is meant to be drawn from). NULL
 * when out of memory. Caller owns it (sim_rng_free). */
sim_rng *sim_rng_new_like(const sim_rng *r);

/* The GSL generator with this name: taus2 for NULL; NULL for an unknown name.
 * Not thread-safe (GSL's gsl_rng_types_setup rewrites a static table): call it
 * before starting threads. */
const gsl_rng_type *sim_rng_type_by_name(const char *name);

/* The underlying generator, borrowed for gsl_ran_* calls; valid until
 * sim_rng_free. */
static inline gsl_rng *sim_rng_gsl(sim_rng *r)
{
    return r->gsl;
}

/* Uniform on [0, 1). */
static inline double sim_rng_uniform(sim_rng *r)
{
    return gsl_rng_uniform(r->gsl);
}

/* Uniform on (0, 1): safe to take the log of. */
static inline double sim_rng_uniform_pos(sim_rng *r)
{
    return gsl_rng_uniform_pos(r->gsl);
}

/* Uniform integer in [0, n); n must be in [1, 2^32). */
static inline uint32_t sim_rng_uniform_int(sim_rng *r, uint32_t n)
{
    assert(n >= 1);
    return (uint32_t)gsl_rng_uniform_int(r->gsl, n);
}

/* Sets dst's state to src's: dst then draws what src will draw next, and
 * src is left as it is (dst: a stream of src's generator type, from
 * sim_rng_new_like). For looking ahead at what later events will draw, to
 * prefetch what they will pick. */
static inline void sim_rng_copy_state(sim_rng *dst, const sim_rng *src)
{
    assert(dst->gsl->type == src->gsl->type);
    gsl_rng_memcpy(dst->gsl, src->gsl);
}

/* Exponential with the given MEAN (not rate). Drawn by inversion, -mean *
 * log(U) with U uniform on (0, 1): the same distribution as gsl_ran_exponential
 * (which takes log1p(-U)) at less than half the cost (7.4 vs 17 ns here; log1p
 * was a fifth of a PHOLD event), and U = 0 cannot occur, so the result is
 * finite. */
static inline double sim_rng_exp_mean(sim_rng *r, double mean)
{
    return -mean * log(gsl_rng_uniform_pos(r->gsl));
}

/* Exponential with the given RATE (events per unit time); rate must be > 0. */
static inline double sim_rng_exp_rate(sim_rng *r, double rate)
{
    return -log(gsl_rng_uniform_pos(r->gsl)) / rate;
}

#endif
