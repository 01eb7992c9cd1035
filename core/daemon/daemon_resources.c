#include "daemon/daemon_resources.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* btime of /proc/stat: the boot, wall-clock seconds. */
static unsigned long long daemon_resources_btime(void)
{
	unsigned long long btime = 0;
	FILE *f = fopen("/proc/stat", "r");
	if (f) {
		char line[256];
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "btime %llu", &btime) == 1)
				break;
		fclose(f);
	}
	return btime;
}

/* The boot time plus the process' start in clock ticks (field 22 of
 * /proc/self/stat): the wall-clock start, in seconds. */
static double daemon_resources_start_read(void)
{
	unsigned long long start_ticks = 0;
	FILE *f = fopen("/proc/self/stat", "r");
	if (f) {
		char buf[1024];
		if (fgets(buf, sizeof(buf), f)) {
			const char *p = strrchr(buf, ')');
			int field = 2;
			for (; p && *p && field < 22; p++)
				if (*p == ' ')
					field++;
			if (p)
				start_ticks = strtoull(p, NULL, 10);
		}
		fclose(f);
	}
	long hz = sysconf(_SC_CLK_TCK);
	return (double)daemon_resources_btime() + (double)start_ticks / (double)(hz > 0 ? hz : 100);
}

/* Both never change: read once (/proc/stat lists every interrupt, and a
 * snapshot every 100ms would read it each time). */
static pthread_once_t daemon_resources_once = PTHREAD_ONCE_INIT;
static unsigned long long daemon_resources_btime_s;
static double daemon_resources_start_s;

static void daemon_resources_init(void)
{
	daemon_resources_btime_s = daemon_resources_btime();
	daemon_resources_start_s = daemon_resources_start_read();
}

static double daemon_resources_start(void)
{
	pthread_once(&daemon_resources_once, daemon_resources_init);
	return daemon_resources_start_s;
}

void daemon_resources_read(daemon_resources *r)
{
	*r = (daemon_resources){0};
	long page = sysconf(_SC_PAGESIZE);
	unsigned long vsz = 0, rss = 0, pss_kb = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (f) {
		if (fscanf(f, "%lu %lu", &vsz, &rss) != 2)
			vsz = rss = 0;
		fclose(f);
	}
	f = fopen("/proc/self/smaps_rollup", "r");
	if (f) {
		char line[256];
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "Pss: %lu kB", &pss_kb) == 1)
				break;
		fclose(f);
	}
	struct timespec cpu, now;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
	clock_gettime(CLOCK_REALTIME, &now);
	double age = (double)now.tv_sec + now.tv_nsec / 1e9 - daemon_resources_start();
	double used = (double)cpu.tv_sec + cpu.tv_nsec / 1e9;
	r->cpu_ratio = age > 0 ? used / age : 0;
	r->rss_bytes = (uint64_t)rss * (uint64_t)page;
	r->vsz_bytes = (uint64_t)vsz * (uint64_t)page;
	r->pss_bytes = (uint64_t)pss_kb * 1024u;
}

uint64_t daemon_resources_start_ns(void)
{
	return (uint64_t)(daemon_resources_start() * 1e9);
}

uint64_t daemon_resources_boot_ns(void)
{
	pthread_once(&daemon_resources_once, daemon_resources_init);
	return (uint64_t)daemon_resources_btime_s * 1000000000ull;
}
