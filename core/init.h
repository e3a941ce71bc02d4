#ifndef RTM_INIT_H
#define RTM_INIT_H
/* Idempotent library set-up; called by RtmRegisterEntity before anything. */
void rtm_init(void);
#endif
