/* destlock.pml with the defect BROKEN_SPLITRMW (see there); spin must reject it. */
#define BROKEN_SPLITRMW
#include "destlock.pml"
