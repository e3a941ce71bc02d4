/* destlock.pml with the defect BROKEN_LATEHANDOFF (see there); spin must reject it. */
#define BROKEN_LATEHANDOFF
#include "destlock.pml"
