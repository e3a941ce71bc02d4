/* destlock.pml with the defect BROKEN_NOPHASE (see there); spin must reject it. */
#define BROKEN_NOPHASE
#include "destlock.pml"
