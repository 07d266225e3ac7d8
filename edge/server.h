/*
 * The server: worker threads, each with its own libuv loop and SO_REUSEPORT
 * listening sockets, sharing one immutable release index; signals, reload
 * and drain on the main thread.
 */
#ifndef KE_SERVER_H
#define KE_SERVER_H

#include "edge/config.h"

/* Runs until SIGTERM/SIGINT, then drains and returns the process exit status
 * (0 after a clean drain). Startup errors (port in use, unreadable release)
 * print one line naming the cause and return 1. */
int ke_server_run(const struct ke_config *cfg);

#endif
