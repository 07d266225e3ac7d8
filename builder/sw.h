/*
 * The service worker's sources, compiled into kiln-build: sw-template/sw.js
 * and sw-template/register.js as NUL-terminated byte arrays. The Makefile
 * generates their definitions (build/gen/sw_template.c) from the files, so
 * the template stays plain, readable JavaScript in the repository.
 */
#ifndef KB_SW_H
#define KB_SW_H

#include <stddef.h>

extern const char kb_sw_template[];
extern const size_t kb_sw_template_len;
extern const char kb_sw_register[];
extern const size_t kb_sw_register_len;

#endif
