/*
 * fapi-capcheck: reads a capture with libsinsp and prints one line per event.
 *
 *   fapi-capcheck [-f FORMAT] [-F FILTER] [-c] FILE.scap
 *
 * FORMAT is a sinsp output format (default below); FILTER a sinsp filter;
 * -c prints only the number of events read. Exit status: 0 when the whole
 * file was read, 1 on any sinsp error. It exists to confirm that generated
 * captures read back with a correct thread table and fd state; tests may use
 * it to look at a scenario with the fields they care about.
 */
#include <cstdio>
#include <cstring>
#include <string>

#include <sinsp.h>

static const char *const verify_sinsp_default_format =
	"%evt.num %evt.rawtime %thread.tid %proc.name %evt.dir %evt.type %evt.args";

static int verify_sinsp_usage()
{
	std::fprintf(stderr, "usage: fapi-capcheck [-f FORMAT] [-F FILTER] [-c] FILE.scap\n");
	return 2;
}

int main(int argc, char **argv)
{
	std::string format = verify_sinsp_default_format;
	std::string filter;
	bool count_only = false;
	const char *file = nullptr;

	for(int i = 1; i < argc; i++) {
		if(std::strcmp(argv[i], "-f") == 0 && i + 1 < argc) {
			format = argv[++i];
		} else if(std::strcmp(argv[i], "-F") == 0 && i + 1 < argc) {
			filter = argv[++i];
		} else if(std::strcmp(argv[i], "-c") == 0) {
			count_only = true;
		} else if(argv[i][0] != '-' && file == nullptr) {
			file = argv[i];
		} else {
			return verify_sinsp_usage();
		}
	}
	if(file == nullptr || format.empty())
		return verify_sinsp_usage();

	try {
		sinsp inspector;
		inspector.open(file);
		if(!filter.empty())
			inspector.set_filter(filter);
		// A leading '*' makes sinsp print <NA> for missing fields instead
		// of cutting the line at the first one.
		if(format[0] != '*')
			format.insert(0, 1, '*');
		sinsp_evt_formatter formatter(&inspector, format);
		uint64_t n = 0;
		std::string line;
		for(;;) {
			sinsp_evt *ev = nullptr;
			int32_t rc = inspector.next(&ev);
			if(rc == SCAP_TIMEOUT)
				continue;
			if(rc == SCAP_EOF)
				break;
			if(rc != SCAP_SUCCESS) {
				std::fprintf(stderr, "fapi-capcheck: %s: %s\n", file,
					     inspector.getlasterr().c_str());
				return 1;
			}
			n++;
			if(count_only)
				continue;
			line.clear();
			formatter.tostring(ev, &line);
			std::printf("%s\n", line.c_str());
		}
		inspector.close();
		if(count_only)
			std::printf("%llu\n", (unsigned long long)n);
	} catch(const std::exception &e) {
		std::fprintf(stderr, "fapi-capcheck: %s: %s\n", file, e.what());
		return 1;
	}
	return 0;
}
