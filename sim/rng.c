/* rng.c -- stream naming and construction (see rng.h).
 *
 * The name hash chains splitmix64's finaliser (Steele, Lea, Flood 2014) over
 * the four parts of the name, with the purpose reduced by FNV-1a first. Each
 * part goes through a full avalanche before the next is mixed in, so (point 1,
 * rep 0) and (point 0, rep 1) land far apart.
 */
#include "rng.h"

#include "internal.h"

#include <stdlib.h>
#include <string.h>

uint64_t sim__rng_mix64(uint64_t z)
{
    z += UINT64_C(0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static uint64_t fnv1a64(const char *s)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

uint64_t sim_rng_hash(uint64_t seed, uint32_t point, uint32_t rep,
                      const char *purpose)
{
    uint64_t h = sim__rng_mix64(seed);
    h = sim__rng_mix64(h ^ point);
    h = sim__rng_mix64(h ^ ((uint64_t)rep << 32 | UINT64_C(0x5bd1e995)));
    return sim__rng_mix64(h ^ fnv1a64(purpose));
}

const gsl_rng_type *sim_rng_type_by_name(const char *name)
{
    if (name == NULL || strcmp(name, "taus2") == 0)
        return gsl_rng_taus2;
    for (const gsl_rng_type **t = gsl_rng_types_setup(); *t != NULL; t++)
        if (strcmp((*t)->name, name) == 0)
            return *t;
    return NULL;
}

int sim_rng_new(uint64_t seed, uint32_t point, uint32_t rep,
                const char *purpose, const gsl_rng_type *type, sim_rng **out,
                sim_err *err)
{
    if (purpose == NULL || purpose[0] == '\0')
        return sim_err_set(err, SIM_EINVAL,
                           "random stream purpose must be a non-empty name");
    sim_rng *r = malloc(sizeof *r);
    if (r == NULL)
        return sim_err_set(err, SIM_ENOMEM,
                           "out of memory for random stream '%s'", purpose);
    r->gsl = gsl_rng_alloc(type != NULL ? type : gsl_rng_taus2);
    if (r->gsl == NULL) {
        free(r);
        return sim_err_set(err, SIM_ENOMEM,
                           "out of memory for random stream '%s'", purpose);
    }
    r->name = sim_rng_hash(seed, point, rep, purpose);
    /* GSL's seeders take 32 bits (taus2 and mt19937 both mask to 32), so fold
     * the hash rather than let gsl_rng_set drop its high half. taus2 treats
     * seed 0 as 1; keep 0 distinct. */
    unsigned long s =
        (unsigned long)((r->name ^ (r->name >> 32)) & 0xffffffffu);
    gsl_rng_set(r->gsl, s != 0 ? s : 0x9e3779b9ul);
    size_t n = strlen(purpose);
    if (n >= sizeof r->purpose)
        n = sizeof r->purpose - 1;
    memcpy(r->purpose, purpose, n);
    r->purpose[n] = '\0';
    *out = r;
    return SIM_OK;
}

void sim_rng_free(sim_rng *r)
{
    if (r == NULL)
        return;
    gsl_rng_free(r->gsl);
    free(r);
}

sim_rng *sim_rng_new_like(const sim_rng *r)
{
    sim_rng *c = malloc(sizeof *c);
    if (c == NULL)
        return NULL;
    c->gsl = gsl_rng_alloc(r->gsl->type);
    if (c->gsl == NULL) {
        free(c);
        return NULL;
    }
    c->name = r->name;
    memcpy(c->purpose, r->purpose, sizeof c->purpose);
    return c;
}
