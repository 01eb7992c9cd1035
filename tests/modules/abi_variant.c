/* One source, many purpose-built modules: each ABI_* definition breaks one
 * check the loader must make, and the lifecycle callbacks append to the file
 * named by FAPI_TEST_LIFECYCLE_LOG so tests can see their order. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fapi/fapi.h"

#ifndef VARIANT_NAME
#define VARIANT_NAME "good"
#endif

static void variant_record(const char *what)
{
	const char *path = getenv("FAPI_TEST_LIFECYCLE_LOG");
	if (!path)
		return;
	FILE *f = fopen(path, "a");
	if (f) {
		fprintf(f, "%s:%s\n", VARIANT_NAME, what);
		fclose(f);
	}
}

__attribute__((unused)) static int variant_init(fapi_module_ctx *ctx, const fapi_host *host, void **state, char *err, size_t errlen)
{
	(void)ctx;
	(void)host;
	(void)err;
	(void)errlen;
	variant_record("init");
	*state = malloc(1);
	return FAPI_OK;
}

static int variant_register(void *state, char *err, size_t errlen)
{
	(void)state;
	(void)err;
	(void)errlen;
	variant_record("register_rpcs");
	return FAPI_OK;
}

static int variant_start(void *state, char *err, size_t errlen)
{
	(void)state;
	variant_record("start");
#ifdef VARIANT_FAIL_START
	snprintf(err, errlen, "refusing to start on purpose");
	return FAPI_EINTERNAL;
#else
	(void)err;
	(void)errlen;
	return FAPI_OK;
#endif
}

static void variant_stop(void *state)
{
	(void)state;
	variant_record("stop");
}

static void variant_destroy(void *state)
{
	variant_record("destroy");
	free(state);
}

#if defined(VARIANT_NO_SYMBOL)
FAPI_MODULE_EXPORT const fapi_module some_other_symbol = {
	.magic = FAPI_MODULE_MAGIC, .abi_major = FAPI_ABI_MAJOR, .abi_minor = FAPI_ABI_MINOR,
	.size = sizeof(fapi_module), .name = VARIANT_NAME, .init = variant_init,
	.register_rpcs = variant_register, .start = variant_start, .stop = variant_stop,
	.destroy = variant_destroy};
#else
#ifndef VARIANT_MAGIC
#define VARIANT_MAGIC FAPI_MODULE_MAGIC
#endif
#ifndef VARIANT_MAJOR
#define VARIANT_MAJOR FAPI_ABI_MAJOR
#endif
#ifndef VARIANT_MINOR
#define VARIANT_MINOR FAPI_ABI_MINOR
#endif
#ifndef VARIANT_SIZE
#define VARIANT_SIZE sizeof(fapi_module)
#endif
#ifdef VARIANT_NO_INIT
#define VARIANT_INIT NULL
#else
#define VARIANT_INIT variant_init
#endif
/* Spelled out instead of FAPI_MODULE_DEFINE so each header field can lie. */
FAPI_MODULE_EXPORT const fapi_module FAPI_MODULE_SYMBOL = {
	.magic = VARIANT_MAGIC,
	.abi_major = VARIANT_MAJOR,
	.abi_minor = VARIANT_MINOR,
	.size = VARIANT_SIZE,
	.name = VARIANT_NAME,
	.version = "0.0.1",
	.description = "loader test module",
	.init = VARIANT_INIT,
	.register_rpcs = variant_register,
	.start = variant_start,
	.stop = variant_stop,
	.destroy = variant_destroy,
};
#endif
