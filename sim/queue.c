/* queue.c -- the registry of pending-event set structures (see queue.h).
 *
 * The table and the list of names both come from SIM_QUEUE_LIST, so a new
 * structure is one entry there plus its type object. The default is the one
 * constant here that a measurement decided; docs/engine.md has the numbers and
 * says why a structure that wins on PHOLD did not win the default.
 */
#include "queue.h"

#include <string.h>

#define QUEUE_ADDR(name) &sim_queue_##name,
static const sim_queue_type *const all_queues[] = {SIM_QUEUE_LIST(QUEUE_ADDR)};
#undef QUEUE_ADDR

/* heap4: docs/engine.md has the measurements. It is the fastest at large
 * pending sets and 15-20% behind the best on small PHOLD sizes; it costs
 * O(log n) whatever the time distribution (the calendar queue took 4.2 us an
 * operation where heap4 took 0.2 us, for 10^6 events spread over 12 decades
 * of time, the kind of mix a market model's contract ends, detections and
 * onboardings make); and it needs 16-32 bytes an entry against the calendar's
 * 60-100. */
const sim_queue_type *const sim_queue_default = &sim_queue_heap4;

const sim_queue_type *sim_queue_by_name(const char *name)
{
    if (name == NULL)
        return sim_queue_default;
    for (size_t i = 0; i < sizeof all_queues / sizeof all_queues[0]; i++)
        if (strcmp(all_queues[i]->name, name) == 0)
            return all_queues[i];
    return NULL;
}

const char *sim_queue_names(void)
{
    /* ", heap4, heap2, calendar, wheel" without its first two characters. */
#define QUEUE_NAME(name) ", " #name
    return &(SIM_QUEUE_LIST(QUEUE_NAME))[2];
#undef QUEUE_NAME
}
