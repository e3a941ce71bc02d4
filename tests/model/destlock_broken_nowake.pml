/* destlock.pml with the defect BROKEN_NOWAKE (see there); spin must reject it. */
#define BROKEN_NOWAKE
#include "destlock.pml"
