/* destlock.pml with the defect BROKEN_NOSTARV (see there); spin must reject it. */
#define BROKEN_NOSTARV
#include "destlock.pml"
