/*
 * sinsp_bridge.cpp - the only C++ in falco-apid: binds the C engine to
 * libsinsp/libscap (falcosecurity libs of March 2022). See sinsp_bridge.h for
 * the contract. Every extern "C" entry point catches all C++ exceptions and
 * turns them into a status code and a message.
 */

/* libsinsp crashes in its constructor unless its headers see HAS_CAPTURE
 * (the object layout changes); the build defines it, manual builds may not. */
#ifndef HAS_CAPTURE
#define HAS_CAPTURE 1
#endif

#include "engine/backends/syscall/sinsp_bridge.h"
#include "engine/backends/syscall/scap_check.h"
#include "engine/lang/condition_op.h"
#include "engine/backends/backend_registry.h"

#include <sinsp.h>
#include <filter.h>
#include <filterchecks.h>
#include <eventformatter.h>
#include <scap_open_exception.h>
#include <driver/driver_config.h>
#include <json/json.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <set>
#include <string>
#include <vector>

#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------------ */
/* Internal types                                                            */
/* ------------------------------------------------------------------------ */

struct sinsp_bridge_inspector {
	sinsp *s = nullptr;
	unsigned flags = 0;
	bool open = false;
	bool live = false;
	bool bpf_set = false; /* sinsp::set_bpf_probe() was called: it is sticky */
	uint64_t returned = 0;
	uint64_t skipped = 0;
	/* -S on a capture file: what a live capture with that snaplen would
	 * have kept of each I/O buffer (see replay_truncate_data()). */
	uint32_t replay_snaplen = 0;
	/* The last file scap_check_file() passed, so a looped replay checks
	 * it once: path, size and modification time. */
	std::string checked_path;
	off_t checked_size = -1;
	struct timespec checked_mtime = {};
};

namespace {
void replay_truncate_data(sinsp_bridge_inspector *insp, sinsp_evt *ev);
} // namespace

namespace {

/* How a check is evaluated. */
enum check_mode {
	MODE_SINSP = 0,       /* libsinsp compare() */
	MODE_BCONTAINS = 1,   /* bridge: memmem on the raw extracted bytes */
	MODE_BSTARTSWITH = 2, /* bridge: memcmp prefix on the raw extracted bytes */
	MODE_EVTTYPE = 3,     /* bridge: evt.type =/!=/in as a per-code table */
	MODE_ARGFLAGS = 4,    /* bridge: evt.arg.NAME contains X on a flags parameter */
};

/* Leaves answered from the event code (see bridge_classify). */
enum code_shape {
	SHAPE_NONE = 0,   /* known per event only */
	SHAPE_EVTTYPE,    /* evt.type =, != or in: the codes of its evttypes() set (codes >= 2) */
	SHAPE_EVTDIR,     /* evt.dir = / != < or >: the code's direction bit */
	SHAPE_OPEN_FLAG,  /* evt.is_open_read/write/exec = / != true/false */
};

} // namespace

struct sinsp_bridge_check {
	sinsp_filter_check *chk = nullptr;
	check_mode mode = MODE_SINSP;
	bool is_string = false;     /* extracted value is NUL-terminated text */
	std::vector<uint8_t> bytes; /* decoded needle for bcontains/bstartswith */
	/* evt.buffer renders non-printable bytes as '.', so the byte
	 * operators read its event parameter ("data") raw instead. */
	bool raw_data = false;
	/* MODE_ARGFLAGS: the parameter name and the needle; per event code, the
	 * parameter's index when it is a flags parameter, -1 when libsinsp must
	 * answer, -2 not looked up yet. */
	std::string argname;
	std::string needle;
	int8_t flags_param[PPM_EVENT_MAX];
	bool by_code[PPM_EVENT_MAX] = {}; /* MODE_EVTTYPE: result per event code */
	/* What the leaf is as a function of the event code alone, for the
	 * engine's folding (backend.h, check_code_values). */
	code_shape shape = SHAPE_NONE;
	bool shape_exit = false;    /* SHAPE_EVTDIR: true on exit events */
	bool shape_outside = false; /* SHAPE_OPEN_FLAG: the answer outside the open events */
	uint64_t errors = 0;
	std::string lasterr;
	std::set<uint16_t> evttypes_cache;
	bool evttypes_cached = false;
	bool type_field = false; /* evt.type: the only field with its own evttypes() */
};

struct sinsp_bridge_formatter {
	sinsp_evt_formatter *f = nullptr;
};

namespace {

void set_err(sinsp_bridge_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void set_err(sinsp_bridge_error *err, const char *fmt, ...)
{
	if(err == nullptr)
	{
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

/* Maps an in-flight exception to ERROR + message. Use inside catch(...). */
int exception_to_err(sinsp_bridge_error *err, const char *what_doing)
{
	try
	{
		throw;
	}
	catch(const std::bad_alloc &)
	{
		set_err(err, "%s: out of memory", what_doing);
	}
	catch(const std::exception &e)
	{
		set_err(err, "%s: %s", what_doing, e.what());
	}
	catch(...)
	{
		set_err(err, "%s: unknown C++ exception", what_doing);
	}
	return SINSP_BRIDGE_ERROR;
}

char *dup_string(const std::string &s)
{
	char *p = static_cast<char *>(malloc(s.size() + 1));
	if(p != nullptr)
	{
		memcpy(p, s.c_str(), s.size() + 1);
	}
	return p;
}

/* Compiled into libscap, not in its headers (libscap/CMakeLists.txt):
 * Debian builds it with the defaults below; Falco's own builds use
 * FALCO_BPF_PROBE and .falco/falco-bpf.o. */
#define BRIDGE_SCAP_BPF_ENV "BPF_PROBE"
const char k_scap_bpf_env[] = BRIDGE_SCAP_BPF_ENV;
const char k_scap_bpf_default[] = ".scap/scap-bpf.o";

bool path_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* ------------------------------------------------------------------------ */
/* Operators                                                                 */
/* ------------------------------------------------------------------------ */

/* The operator table is engine/lang/condition_op.h; here only its mapping
 * onto libsinsp's cmpop. bcontains and bstartswith do not exist in this
 * libsinsp: the bridge evaluates them on the raw bytes. */
cmpop sinsp_cmpop(condition_op op)
{
	switch(op)
	{
	case CONDITION_OP_EQ: return CO_EQ;
	case CONDITION_OP_NE: return CO_NE;
	case CONDITION_OP_LT: return CO_LT;
	case CONDITION_OP_LE: return CO_LE;
	case CONDITION_OP_GT: return CO_GT;
	case CONDITION_OP_GE: return CO_GE;
	case CONDITION_OP_CONTAINS: return CO_CONTAINS;
	case CONDITION_OP_BCONTAINS: return CO_CONTAINS;
	case CONDITION_OP_ICONTAINS: return CO_ICONTAINS;
	case CONDITION_OP_STARTSWITH: return CO_STARTSWITH;
	case CONDITION_OP_BSTARTSWITH: return CO_STARTSWITH;
	case CONDITION_OP_ENDSWITH: return CO_ENDSWITH;
	case CONDITION_OP_GLOB: return CO_GLOB;
	case CONDITION_OP_PMATCH: return CO_PMATCH;
	case CONDITION_OP_IN: return CO_IN;
	case CONDITION_OP_INTERSECTS: return CO_INTERSECTS;
	case CONDITION_OP_EXISTS: return CO_EXISTS;
	default: return CO_NONE;
	}
}

bool is_byte_op(condition_op op)
{
	return op == CONDITION_OP_BCONTAINS || op == CONDITION_OP_BSTARTSWITH;
}

/* Families of field types, by what libsinsp's flt_compare_* accept without
 * throwing (filter.cpp of the March 2022 libs). */
condition_op_family family_of(ppm_param_type t)
{
	switch(t)
	{
	case PT_CHARBUF:
	case PT_FSPATH:
	case PT_FSRELPATH:
		return CONDITION_OPFAM_STRING;
	case PT_BYTEBUF:
		return CONDITION_OPFAM_BUFFER;
	case PT_INT8:
	case PT_INT16:
	case PT_INT32:
	case PT_INT64:
	case PT_FD:
	case PT_PID:
	case PT_ERRNO:
	case PT_FLAGS8:
	case PT_UINT8:
	case PT_SIGTYPE:
	case PT_FLAGS16:
	case PT_UINT16:
	case PT_PORT:
	case PT_SYSCALLID:
	case PT_UINT32:
	case PT_FLAGS32:
	case PT_MODE:
	case PT_BOOL:
	case PT_IPV4ADDR:
	case PT_UINT64:
	case PT_RELTIME:
	case PT_ABSTIME:
	case PT_DOUBLE:
		return CONDITION_OPFAM_NUMERIC;
	case PT_IPV4NET:
	case PT_IPV6ADDR:
	case PT_IPV6NET:
	case PT_IPADDR:
	case PT_IPNET:
		return CONDITION_OPFAM_NET;
	default:
		return CONDITION_OPFAM_OTHER;
	}
}

bool decode_hex(const char *s, std::vector<uint8_t> &out)
{
	long n = condition_op_hex_decode(s, nullptr, 0);
	if(n < 0)
	{
		return false;
	}
	out.resize((size_t)n);
	condition_op_hex_decode(s, out.data(), out.size());
	return true;
}

/* ------------------------------------------------------------------------ */
/* Event tables                                                              */
/* ------------------------------------------------------------------------ */

bool evttype_indexable(const ppm_event_info *etable, uint32_t i)
{
	return i >= 2 && i < PPM_EVENT_MAX && !(etable[i].flags & (EF_OLD_VERSION | EF_UNUSED));
}

size_t write_codes(const std::set<uint16_t> &codes, uint16_t *out, size_t cap)
{
	size_t i = 0;
	for(uint16_t c : codes)
	{
		if(i < cap && out != nullptr)
		{
			out[i] = c;
		}
		i++;
	}
	return i;
}

/* ------------------------------------------------------------------------ */
/* Field listing                                                             */
/* ------------------------------------------------------------------------ */

struct field_catalog {
	std::vector<gen_event_filter_factory::filter_fieldclass_info> classes;
	std::vector<std::vector<sinsp_bridge_field>> fields;
};

const field_catalog &catalog()
{
	static field_catalog *cat = nullptr;
	static std::once_flag once;
	std::call_once(once, []() {
		/* Falco 0.31 lists fields through sinsp_filter_factory::get_fields(),
		 * which skips hidden classes and print-only fields; the inspector is
		 * not used by it. Built once, kept until static destruction. */
		static field_catalog storage;
		sinsp_filter_factory factory(nullptr);
		for(auto &c : factory.get_fields())
		{
			storage.classes.push_back(c);
		}
		for(auto &c : storage.classes)
		{
			std::vector<sinsp_bridge_field> v;
			for(auto &f : c.fields)
			{
				sinsp_bridge_field bf;
				bf.name = f.name.c_str();
				bf.type = f.data_type.c_str();
				bf.desc = f.desc.c_str();
				bf.flags = 0;
				if(f.tags.count("FILTER ONLY"))
				{
					bf.flags |= SINSP_BRIDGE_FIELD_FILTER_ONLY;
				}
				if(f.tags.count("EPF_TABLE_ONLY"))
				{
					bf.flags |= SINSP_BRIDGE_FIELD_TABLE_ONLY;
				}
				v.push_back(bf);
			}
			storage.fields.push_back(std::move(v));
		}
		cat = &storage;
	});
	return *cat;
}

} // namespace

/* ------------------------------------------------------------------------ */
/* C API                                                                     */
/* ------------------------------------------------------------------------ */

extern "C" {

const char *sinsp_bridge_status_str(int status)
{
	switch(status)
	{
	case SINSP_BRIDGE_OK:
		return "ok";
	case SINSP_BRIDGE_TIMEOUT:
		return "timeout";
	case SINSP_BRIDGE_EOF:
		return "end of capture";
	case SINSP_BRIDGE_ERROR:
		return "error";
	case SINSP_BRIDGE_EINVAL:
		return "invalid argument";
	case SINSP_BRIDGE_EUNKNOWN_FIELD:
		return "unknown field";
	case SINSP_BRIDGE_EBAD_OPERATOR:
		return "invalid operator";
	case SINSP_BRIDGE_EBAD_VALUE:
		return "invalid value";
	case SINSP_BRIDGE_ECAPTURE:
		return "capture file error";
	case SINSP_BRIDGE_EUNAVAILABLE:
		return "live capture unavailable";
	default:
		return "unknown status";
	}
}

/* ---- inspector ---------------------------------------------------------- */

sinsp_bridge_inspector *sinsp_bridge_inspector_create(unsigned flags, sinsp_bridge_error *err)
{
	sinsp_bridge_inspector *insp = nullptr;
	try
	{
		insp = new sinsp_bridge_inspector();
		insp->flags = flags;
		insp->s = new sinsp();
		/* As Falco 0.31 does before opening anything. */
		insp->s->set_hostname_and_port_resolution_mode(false);
		if(!(flags & SINSP_BRIDGE_ALL_EVENTS))
		{
			insp->s->set_simple_consumer();
			insp->s->set_drop_event_flags(EF_DROP_SIMPLE_CONS);
		}
		return insp;
	}
	catch(...)
	{
		exception_to_err(err, "cannot create the libsinsp inspector");
		if(insp != nullptr)
		{
			delete insp->s;
			delete insp;
		}
		return nullptr;
	}
}

void sinsp_bridge_close(sinsp_bridge_inspector *insp)
{
	if(insp == nullptr || insp->s == nullptr || !insp->open)
	{
		return;
	}
	try
	{
		insp->s->close();
	}
	catch(...)
	{
		/* close() has no way to report; the inspector is unusable anyway. */
	}
	insp->open = false;
	insp->live = false;
}

void sinsp_bridge_inspector_destroy(sinsp_bridge_inspector *insp)
{
	if(insp == nullptr)
	{
		return;
	}
	sinsp_bridge_close(insp);
	try
	{
		delete insp->s;
	}
	catch(...)
	{
	}
	delete insp;
}

} /* extern "C" */

static bool bridge_already_checked(const sinsp_bridge_inspector *insp, const char *path, const struct stat &st)
{
	return insp->checked_path == path && insp->checked_size == st.st_size &&
	       insp->checked_mtime.tv_sec == st.st_mtim.tv_sec && insp->checked_mtime.tv_nsec == st.st_mtim.tv_nsec;
}

extern "C" {

int sinsp_bridge_open_file(sinsp_bridge_inspector *insp, const char *path, sinsp_bridge_error *err)
{
	if(insp == nullptr || insp->s == nullptr || path == nullptr || path[0] == '\0')
	{
		/* sinsp::open("") would silently open a LIVE capture. */
		set_err(err, "open capture: no inspector or empty file name");
		return SINSP_BRIDGE_EINVAL;
	}
	if(insp->open)
	{
		set_err(err, "open capture '%s': the inspector is already open", path);
		return SINSP_BRIDGE_EINVAL;
	}
	/* libscap's own messages for a missing file are vague: check first. */
	FILE *f = fopen(path, "rb");
	if(f == nullptr)
	{
		set_err(err, "cannot open capture file '%s': %s", path, strerror(errno));
		return SINSP_BRIDGE_ECAPTURE;
	}
	fclose(f);
	struct stat st = {};
	if(stat(path, &st) == 0 && S_ISDIR(st.st_mode))
	{
		set_err(err, "cannot open capture file '%s': is a directory", path);
		return SINSP_BRIDGE_ECAPTURE;
	}
	if(!bridge_already_checked(insp, path, st))
	{
		char why[256];
		if(scap_check_file(path, nullptr, why, sizeof(why)) != 0)
		{
			set_err(err, "cannot read capture file '%s': %s", path, why);
			return SINSP_BRIDGE_ECAPTURE;
		}
		try
		{
			insp->checked_path = path;
			insp->checked_size = st.st_size;
			insp->checked_mtime = st.st_mtim;
		}
		catch(...)
		{
			insp->checked_path.clear();
		}
	}
	try
	{
		insp->returned = 0;
		insp->skipped = 0;
		insp->s->open(std::string(path));
		insp->open = true;
		insp->live = false;
		return SINSP_BRIDGE_OK;
	}
	catch(const std::exception &e)
	{
		set_err(err, "cannot read capture file '%s': %s", path, e.what());
	}
	catch(...)
	{
		set_err(err, "cannot read capture file '%s': unknown C++ exception", path);
	}
	try
	{
		insp->s->close();
	}
	catch(...)
	{
	}
	return SINSP_BRIDGE_ECAPTURE;
}

int sinsp_bridge_open_live(sinsp_bridge_inspector *insp, const char *bpf_probe, uint32_t timeout_ms,
			   sinsp_bridge_error *err)
{
	if(insp == nullptr || insp->s == nullptr)
	{
		set_err(err, "open live capture: no inspector");
		return SINSP_BRIDGE_EINVAL;
	}
	if(insp->open)
	{
		set_err(err, "open live capture: the inspector is already open");
		return SINSP_BRIDGE_EINVAL;
	}
	const bool arg_bpf = bpf_probe != nullptr && bpf_probe[0] != '\0';
	static const char device[] = "/dev/" DRIVER_DEVICE_NAME "0";
	static const char moddir[] = "/sys/module/" DRIVER_NAME;

	if(!arg_bpf && insp->bpf_set)
	{
		set_err(err, "open live capture: this inspector was set up for an eBPF probe and libsinsp cannot "
			     "switch it back to the kernel module; create a new inspector");
		return SINSP_BRIDGE_EINVAL;
	}

	/* libscap itself turns a kernel-module open into an eBPF one when its
	 * probe variable is set (Debian's libscap: BPF_PROBE; "" means
	 * $HOME/.scap/scap-bpf.o). Check what it will really load. */
	std::string probe;
	const char *probe_from = "";
	bool bpf = arg_bpf;
	try
	{
		if(arg_bpf)
		{
			probe = bpf_probe;
		}
		else if(const char *env = getenv(k_scap_bpf_env))
		{
			bpf = true;
			probe_from = " (from the " BRIDGE_SCAP_BPF_ENV " environment variable)";
			if(env[0] != '\0')
			{
				probe = env;
			}
			else
			{
				const char *home = getenv("HOME");
				if(home == nullptr)
				{
					set_err(err, "live capture unavailable: " BRIDGE_SCAP_BPF_ENV
						     " is empty and HOME is not set, so no default eBPF probe path");
					return SINSP_BRIDGE_EUNAVAILABLE;
				}
				probe = std::string(home) + "/" + k_scap_bpf_default;
			}
		}
	}
	catch(...)
	{
		return exception_to_err(err, "open live capture");
	}

	if(bpf)
	{
		struct stat st;
		if(stat(probe.c_str(), &st) != 0)
		{
			set_err(err, "live capture unavailable: eBPF probe '%s'%s not found (%s)", probe.c_str(), probe_from,
				strerror(errno));
			return SINSP_BRIDGE_EUNAVAILABLE;
		}
		if(access(probe.c_str(), R_OK) != 0)
		{
			set_err(err, "live capture unavailable: eBPF probe '%s'%s is not readable (%s)", probe.c_str(),
				probe_from, strerror(errno));
			return SINSP_BRIDGE_EUNAVAILABLE;
		}
	}
	else
	{
		bool have_mod = path_exists(moddir);
		bool have_dev = path_exists(device);
		if(!have_mod && !have_dev)
		{
			/* Falco's own builds of these libraries name the driver
			 * "falco": a Falco user's loaded module is not the one this
			 * libscap reads, so say which device each looks for. */
			const bool falco_driver = strcmp(DRIVER_DEVICE_NAME, "falco") != 0 && path_exists("/dev/falco0");
			set_err(err,
				"live capture unavailable: kernel module '%s' is not loaded (no %s) and %s does not "
				"exist; load the driver or give an eBPF probe (FALCO_BPF_PROBE). %s",
				DRIVER_NAME, moddir, device,
				falco_driver ? "/dev/falco0 exists: that is Falco's driver 'falco', which this libscap "
					       "cannot read; load '" DRIVER_NAME "' instead"
					     : "Falco's builds name their driver 'falco' (/dev/falco0); this libscap "
					       "opens /dev/" DRIVER_DEVICE_NAME "0");
			return SINSP_BRIDGE_EUNAVAILABLE;
		}
		if(!have_dev)
		{
			set_err(err, "live capture unavailable: kernel module '%s' is loaded but %s does not exist",
				DRIVER_NAME, device);
			return SINSP_BRIDGE_EUNAVAILABLE;
		}
	}

	try
	{
		insp->returned = 0;
		insp->skipped = 0;
		if(arg_bpf)
		{
			insp->s->set_bpf_probe(bpf_probe);
			insp->bpf_set = true;
		}
		if(timeout_ms == 0)
		{
			insp->s->open();
		}
		else
		{
			insp->s->open(timeout_ms);
		}
		insp->open = true;
		insp->live = true;
		return SINSP_BRIDGE_OK;
	}
	catch(const std::exception &e)
	{
		if(bpf)
		{
			set_err(err, "live capture unavailable: cannot load eBPF probe '%s'%s: %s", probe.c_str(), probe_from,
				e.what());
		}
		else
		{
			set_err(err, "live capture unavailable: cannot open %s (kernel module '%s'): %s", device,
				DRIVER_NAME, e.what());
		}
	}
	catch(...)
	{
		set_err(err, "live capture unavailable: unknown C++ exception");
	}
	try
	{
		insp->s->close();
	}
	catch(...)
	{
	}
	return SINSP_BRIDGE_EUNAVAILABLE;
}

int sinsp_bridge_next(sinsp_bridge_inspector *insp, sinsp_bridge_evt **evt, sinsp_bridge_error *err)
{
	if(evt != nullptr)
	{
		*evt = nullptr;
	}
	if(insp == nullptr || evt == nullptr || !insp->open)
	{
		set_err(err, "next: the inspector is not open");
		return SINSP_BRIDGE_EINVAL;
	}
	try
	{
		sinsp *s = insp->s;
		const bool all = (insp->flags & SINSP_BRIDGE_ALL_EVENTS) != 0;
		for(;;)
		{
			sinsp_evt *ev = nullptr;
			int32_t rc = s->next(&ev);
			if(__builtin_expect(rc == SCAP_SUCCESS, 1))
			{
				/* Falco 0.31 (without -A) skips these after the drop flags. */
				if(!all && !ev->simple_consumer_consider())
				{
					insp->skipped++;
					continue;
				}
				insp->returned++;
				if(__builtin_expect(insp->replay_snaplen != 0, 0) && !insp->live)
				{
					replay_truncate_data(insp, ev);
				}
				*evt = reinterpret_cast<sinsp_bridge_evt *>(ev);
				return SINSP_BRIDGE_OK;
			}
			if(rc == SCAP_TIMEOUT)
			{
				/* libsinsp reports an event it filtered out (drop flags) as
				 * a timeout with a non-NULL event: not a real timeout. */
				if(ev != nullptr)
				{
					insp->skipped++;
					continue;
				}
				return SINSP_BRIDGE_TIMEOUT;
			}
			if(rc == SCAP_EOF)
			{
				return SINSP_BRIDGE_EOF;
			}
			set_err(err, "error reading events: %s", s->getlasterr().c_str());
			return SINSP_BRIDGE_ERROR;
		}
	}
	catch(...)
	{
		return exception_to_err(err, "error reading events");
	}
}

bool sinsp_bridge_is_open(const sinsp_bridge_inspector *insp)
{
	return insp != nullptr && insp->open;
}

bool sinsp_bridge_is_live(const sinsp_bridge_inspector *insp)
{
	return insp != nullptr && insp->open && insp->live;
}

int sinsp_bridge_get_stats(sinsp_bridge_inspector *insp, sinsp_bridge_stats *out)
{
	if(insp == nullptr || out == nullptr)
	{
		return SINSP_BRIDGE_EINVAL;
	}
	memset(out, 0, sizeof(*out));
	out->events_returned = insp->returned;
	out->events_skipped = insp->skipped;
	try
	{
		if(insp->open)
		{
			out->sinsp_events = insp->s->get_num_events();
		}
		if(insp->open && insp->live)
		{
			scap_stats st;
			memset(&st, 0, sizeof(st));
			insp->s->get_capture_stats(&st);
			out->driver_events = st.n_evts;
			out->drops = st.n_drops;
			out->drops_buffer = st.n_drops_buffer;
			out->drops_pf = st.n_drops_pf;
			out->drops_bug = st.n_drops_bug;
			out->drops_scratch_map = st.n_drops_scratch_map;
			out->preemptions = st.n_preemptions;
		}
	}
	catch(...)
	{
		/* Counters stay at what could be read. */
	}
	return SINSP_BRIDGE_OK;
}

uint16_t sinsp_bridge_evt_type(const sinsp_bridge_evt *evt)
{
	return reinterpret_cast<const sinsp_evt *>(evt)->get_type();
}

sinsp_bridge_dir sinsp_bridge_evt_direction(const sinsp_bridge_evt *evt)
{
	/* PPME codes alternate enter (even) / exit (odd); this is what
	 * sinsp_evt::get_direction() computes, without the const_cast. */
	return (reinterpret_cast<const sinsp_evt *>(evt)->get_type() & 1) ? SINSP_BRIDGE_DIR_EXIT
									    : SINSP_BRIDGE_DIR_ENTER;
}

uint64_t sinsp_bridge_evt_ts(const sinsp_bridge_evt *evt)
{
	return reinterpret_cast<const sinsp_evt *>(evt)->get_ts();
}

uint64_t sinsp_bridge_evt_num(const sinsp_bridge_evt *evt)
{
	return reinterpret_cast<const sinsp_evt *>(evt)->get_num();
}

int sinsp_bridge_measure_read_rate(const char *path, unsigned flags, uint64_t max_events,
				   sinsp_bridge_read_rate *out, sinsp_bridge_error *err)
{
	if(out == nullptr)
	{
		set_err(err, "measure read rate: no result pointer");
		return SINSP_BRIDGE_EINVAL;
	}
	memset(out, 0, sizeof(*out));
	sinsp_bridge_inspector *insp = sinsp_bridge_inspector_create(flags, err);
	if(insp == nullptr)
	{
		return SINSP_BRIDGE_ERROR;
	}
	int rc = sinsp_bridge_open_file(insp, path, err);
	if(rc != SINSP_BRIDGE_OK)
	{
		sinsp_bridge_inspector_destroy(insp);
		return rc;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	uint64_t n = 0;
	sinsp_bridge_evt *evt;
	for(;;)
	{
		rc = sinsp_bridge_next(insp, &evt, err);
		if(rc == SINSP_BRIDGE_OK)
		{
			n++;
			if(max_events > 0 && n >= max_events)
			{
				break;
			}
		}
		else if(rc != SINSP_BRIDGE_TIMEOUT)
		{
			break;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	sinsp_bridge_inspector_destroy(insp);
	if(rc != SINSP_BRIDGE_OK && rc != SINSP_BRIDGE_EOF)
	{
		return rc;
	}
	out->events = n;
	out->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	out->events_per_sec = out->seconds > 0 ? (double)n / out->seconds : 0;
	return SINSP_BRIDGE_OK;
}

/* ---- event types -------------------------------------------------------- */

uint16_t sinsp_bridge_evttype_max(void)
{
	return PPM_EVENT_MAX;
}

const char *sinsp_bridge_evttype_name(uint16_t code)
{
	if(code >= PPM_EVENT_MAX)
	{
		return nullptr;
	}
	return scap_get_event_info_table()[code].name;
}

size_t sinsp_bridge_evttypes_for_name(const char *name, uint16_t *codes, size_t cap)
{
	if(name == nullptr)
	{
		return 0;
	}
	const ppm_event_info *etable = scap_get_event_info_table();
	size_t n = 0;
	/* Same walk as sinsp_filter_check_event::evttypes() for evt.type = name. */
	for(uint32_t i = 2; i < PPM_EVENT_MAX; i++)
	{
		if(!evttype_indexable(etable, i) || strcmp(etable[i].name, name) != 0)
		{
			continue;
		}
		if(codes != nullptr && n < cap)
		{
			codes[n] = static_cast<uint16_t>(i);
		}
		n++;
	}
	return n;
}

bool sinsp_bridge_evttype_name_is_valid(const char *name)
{
	if(name == nullptr)
	{
		return false;
	}
	/* Same tables as sinsp_filter_check_event::validate_filter_value(). */
	const ppm_event_info *etable = scap_get_event_info_table();
	for(uint32_t i = 0; i < PPM_EVENT_MAX; i++)
	{
		if(strcmp(etable[i].name, name) == 0)
		{
			return true;
		}
	}
	const ppm_syscall_desc *stable = scap_get_syscall_info_table();
	for(uint32_t i = 0; i < PPM_SC_MAX; i++)
	{
		if(stable[i].name != nullptr && strcmp(stable[i].name, name) == 0)
		{
			return true;
		}
	}
	return false;
}

bool sinsp_bridge_evttype_is_indexable(uint16_t code)
{
	return evttype_indexable(scap_get_event_info_table(), code);
}

bool sinsp_bridge_evttype_dropped_by_default(uint16_t code)
{
	if(code >= PPM_EVENT_MAX)
	{
		return false;
	}
	return !sinsp::simple_consumer_consider_evtnum(code);
}

/* ---- filter checks ------------------------------------------------------ */

} /* extern "C" */

/* Recognises the leaves whose answer is a function of the event code. */
static void bridge_classify(sinsp_bridge_check *c, const char *field, const char *arg, condition_op op,
			    const char *const *values, size_t nvalues)
{
	if(arg != nullptr)
	{
		return;
	}
	const bool eq_ne = op == CONDITION_OP_EQ || op == CONDITION_OP_NE;
	if(strcmp(field, "evt.type") == 0 && (eq_ne || op == CONDITION_OP_IN))
	{
		c->shape = SHAPE_EVTTYPE;
	}
	else if((strcmp(field, "evt.is_open_read") == 0 || strcmp(field, "evt.is_open_write") == 0 ||
		 strcmp(field, "evt.is_open_exec") == 0) &&
		nvalues == 1 && eq_ne && (strcasecmp(values[0], "true") == 0 || strcasecmp(values[0], "false") == 0))
	{
		/* libsinsp (March 2022) sets these from the open flags of exactly
		 * four events (bridge_open_flag_codes) and to 0 (false) for every
		 * other one; "= true" is false outside, "= false" true. */
		const bool want_true = strcasecmp(values[0], "true") == 0;
		c->shape_outside = op == CONDITION_OP_EQ ? !want_true : want_true;
		c->shape = SHAPE_OPEN_FLAG;
	}
	else if(strcmp(field, "evt.dir") == 0 && nvalues == 1 && eq_ne &&
		(strcmp(values[0], "<") == 0 || strcmp(values[0], ">") == 0))
	{
		/* PPM codes: enter events are even, exit events odd. */
		const bool is_exit = values[0][0] == '<';
		c->shape_exit = op == CONDITION_OP_EQ ? is_exit : !is_exit;
		c->shape = SHAPE_EVTDIR;
	}
}

extern "C" {

int sinsp_bridge_check_compile(sinsp_bridge_inspector *insp, const char *field, const char *arg, const char *op,
			       const char *const *values, size_t nvalues, sinsp_bridge_check **out,
			       sinsp_bridge_error *err)
{
	if(out != nullptr)
	{
		*out = nullptr;
	}
	if(insp == nullptr || field == nullptr || op == nullptr || out == nullptr || (nvalues > 0 && values == nullptr))
	{
		set_err(err, "compile check: NULL argument");
		return SINSP_BRIDGE_EINVAL;
	}
	for(size_t i = 0; i < nvalues; i++)
	{
		if(values[i] == nullptr)
		{
			set_err(err, "compile check: NULL value #%zu for field %s", i, field);
			return SINSP_BRIDGE_EINVAL;
		}
	}

	std::unique_ptr<sinsp_bridge_check> c;
	std::string fullname;
	try
	{
		fullname = field;
		if(arg != nullptr)
		{
			fullname += "[";
			fullname += arg;
			fullname += "]";
		}
		c.reset(new sinsp_bridge_check());
	}
	catch(...)
	{
		return exception_to_err(err, "compile check");
	}

	/* 1. Find the field: what Falco 0.31's factory new_filtercheck() did
	 *    (g_filterlist.new_filter_check_from_fldname, exact match). */
	try
	{
		c->chk = g_filterlist.new_filter_check_from_fldname(fullname, insp->s, true);
	}
	catch(const std::exception &e)
	{
		set_err(err, "invalid field %s: %s", fullname.c_str(), e.what());
		return SINSP_BRIDGE_ERROR;
	}
	catch(...)
	{
		set_err(err, "invalid field %s: unknown C++ exception", fullname.c_str());
		return SINSP_BRIDGE_ERROR;
	}
	if(c->chk == nullptr)
	{
		set_err(err, "unknown field %s", fullname.c_str());
		return SINSP_BRIDGE_EUNKNOWN_FIELD;
	}
	/* From here on c's destructor does not free chk: do it by hand. */
	struct chk_guard {
		sinsp_bridge_check *c;
		~chk_guard()
		{
			if(c != nullptr)
			{
				delete c->chk;
				c->chk = nullptr;
			}
		}
	} guard{c.get()};

	c->type_field = fullname == "evt.type";

	/* 2. Bind the field (allocating its state, needed for filtering). */
	ppm_param_type ftype;
	try
	{
		c->chk->m_boolop = BO_NONE;
		c->chk->parse_field_name(fullname.c_str(), true, true);
		const filtercheck_field_info *fi = c->chk->get_field_info();
		if(fi == nullptr)
		{
			set_err(err, "field %s has no type information", fullname.c_str());
			return SINSP_BRIDGE_ERROR;
		}
		ftype = fi->m_type;
	}
	catch(const std::exception &e)
	{
		set_err(err, "invalid field %s: %s", fullname.c_str(), e.what());
		return SINSP_BRIDGE_ERROR;
	}
	catch(...)
	{
		set_err(err, "invalid field %s: unknown C++ exception", fullname.c_str());
		return SINSP_BRIDGE_ERROR;
	}

	/* 3. The operator. */
	condition_op cop;
	if(!condition_op_from_string(op, &cop))
	{
		set_err(err, "unknown operator '%s' for field %s", op, fullname.c_str());
		return SINSP_BRIDGE_EBAD_OPERATOR;
	}
	condition_op_family tf = family_of(ftype);
	if(!condition_op_allowed(cop, tf))
	{
		set_err(err, "operator '%s' not supported for field %s of type %s", op, fullname.c_str(),
			param_type_to_string(ftype));
		return SINSP_BRIDGE_EBAD_OPERATOR;
	}
	const cmpop co = sinsp_cmpop(cop);
	c->chk->m_cmpop = co;
	c->is_string = (tf == CONDITION_OPFAM_STRING);

	/* 4. The values. */
	if(cop == CONDITION_OP_EXISTS)
	{
		if(nvalues != 0)
		{
			set_err(err, "operator 'exists' takes no value (field %s)", fullname.c_str());
			return SINSP_BRIDGE_EBAD_VALUE;
		}
	}
	else if(condition_op_is_list(cop))
	{
		/* Falco 0.31: add_filter_value(value, len, i) for each list item. */
		for(size_t i = 0; i < nvalues; i++)
		{
			try
			{
				c->chk->add_filter_value(values[i], (uint32_t)strlen(values[i]), (uint32_t)i);
			}
			catch(const std::exception &e)
			{
				set_err(err, "invalid value '%s' for field %s: %s", values[i], fullname.c_str(),
					e.what());
				return SINSP_BRIDGE_EBAD_VALUE;
			}
			catch(...)
			{
				return exception_to_err(err, "compile check");
			}
		}
	}
	else
	{
		if(nvalues != 1)
		{
			set_err(err, "operator '%s' takes exactly one value, %zu given (field %s)", op, nvalues,
				fullname.c_str());
			return SINSP_BRIDGE_EBAD_VALUE;
		}
		if(!is_byte_op(cop))
		{
			try
			{
				c->chk->add_filter_value(values[0], (uint32_t)strlen(values[0]));
			}
			catch(const std::exception &e)
			{
				set_err(err, "invalid value '%s' for field %s: %s", values[0], fullname.c_str(),
					e.what());
				return SINSP_BRIDGE_EBAD_VALUE;
			}
			catch(...)
			{
				return exception_to_err(err, "compile check");
			}
		}
		else
		{
			if(!decode_hex(values[0], c->bytes))
			{
				set_err(err, "operator '%s' needs a non-empty even-length hex string, got '%s' (field %s)",
					op, values[0], fullname.c_str());
				return SINSP_BRIDGE_EBAD_VALUE;
			}
			c->mode = cop == CONDITION_OP_BCONTAINS ? MODE_BCONTAINS : MODE_BSTARTSWITH;
			c->raw_data = fullname == "evt.buffer";
		}
	}

	/* evt.type =, != and in: precompute the answer for every event code,
	 * exactly as libsinsp's string comparison would give it. */
	if(c->mode == MODE_SINSP && (co == CO_EQ || co == CO_NE || co == CO_IN) &&
	   fullname == "evt.type")
	{
		const ppm_event_info *etable = scap_get_event_info_table();
		for(uint32_t i = 0; i < PPM_EVENT_MAX; i++)
		{
			bool found = false;
			for(size_t k = 0; k < nvalues && !found; k++)
			{
				found = strcmp(etable[i].name, values[k]) == 0;
			}
			c->by_code[i] = (co == CO_NE) ? !found : found;
		}
		c->mode = MODE_EVTTYPE;
	}

	/* evt.arg.NAME contains X: libsinsp renders a flags parameter to text
	 * with snprintf on every event before searching it. The same text comes
	 * from a loop over the flag table, done here without formatting; other
	 * parameter types still go to libsinsp. */
	if(c->mode == MODE_SINSP && cop == CONDITION_OP_CONTAINS && nvalues == 1 && arg == nullptr &&
	   fullname.compare(0, 8, "evt.arg.") == 0 && fullname.size() > 8)
	{
		c->argname = fullname.substr(8);
		c->needle = values[0];
		memset(c->flags_param, -2, sizeof(c->flags_param));
		c->mode = MODE_ARGFLAGS;
	}

	bridge_classify(c.get(), field, arg, cop, values, nvalues);
	guard.c = nullptr;
	*out = c.release();
	return SINSP_BRIDGE_OK;
}

/* The index of the flags parameter `name` of events of type `code`, or -1
 * when the event has no such parameter or it is not a flags one. */
static int8_t bridge_flags_param(uint16_t code, const std::string &name)
{
	const ppm_event_info *info = &scap_get_event_info_table()[code];
	for(uint32_t i = 0; i < info->nparams && i < 127; i++)
	{
		if(name == info->params[i].name)
		{
			const ppm_param_type t = info->params[i].type;
			return (t == PT_FLAGS8 || t == PT_FLAGS16 || t == PT_FLAGS32) && info->params[i].info ? (int8_t)i
														   : -1;
		}
	}
	return -1;
}

/* libsinsp's text of a flags value (event.cpp, get_param_as_str): the
 * names of the flags set, joined with '|', removing each printed flag's
 * bits; a flag equal to the whole value stops the walk and is printed;
 * with no name printed, the decimal value. Returns false when buf is too
 * small (the caller asks libsinsp then). */
/* Appends sep and name at buf+*n; false when it does not fit. */
static bool bridge_flags_append(char *buf, size_t cap, size_t *n, const char *sep, const char *name)
{
	const size_t ls = strlen(sep), ln = strlen(name);
	if(*n + ls + ln + 1 > cap)
	{
		return false;
	}
	memcpy(buf + *n, sep, ls);
	memcpy(buf + *n + ls, name, ln);
	*n += ls + ln;
	buf[*n] = '\0';
	return true;
}

static bool bridge_flags_text(const ppm_name_value *flags, uint32_t val, char *buf, size_t cap)
{
	size_t n = 0;
	const char *sep = "";
	const uint32_t initial = val;
	buf[0] = '\0';
	while(flags != nullptr && flags->name != nullptr && flags->value != initial)
	{
		if((flags->value == 0 && initial == 0) || (flags->value != 0 && (val & flags->value) == flags->value && val != 0))
		{
			if(!bridge_flags_append(buf, cap, &n, sep, flags->name))
			{
				return false;
			}
			sep = "|";
			val &= ~flags->value;
		}
		flags++;
	}
	if(flags != nullptr && flags->name != nullptr && !bridge_flags_append(buf, cap, &n, sep, flags->name))
	{
		return false;
	}
	if(n == 0)
	{
		snprintf(buf, cap, "%" PRIu32, initial);
	}
	return true;
}

} /* extern "C" */

/* sinsp_evt keeps its scap event (header + parameter lengths + values)
 * private and offers no accessor. An explicit instantiation may name a
 * private member (C++ [temp.explicit]), which gives a member pointer to it
 * without changing libsinsp's class. */
template <typename Tag, typename Tag::type M> struct bridge_private_member {
	friend typename Tag::type bridge_get(Tag)
	{
		return M;
	}
};
struct bridge_pevt_tag {
	typedef scap_evt *sinsp_evt::*type;
	friend type bridge_get(bridge_pevt_tag);
};
template struct bridge_private_member<bridge_pevt_tag, &sinsp_evt::m_pevt>;

/* True when the parameter's bytes lie inside its event as the event header
 * describes it. libsinsp computes parameter pointers from the lengths in a
 * capture without checking them, so a corrupted capture yields parameters
 * that point past the buffer libscap read; the bridge's shortcuts read such
 * bytes themselves and must not follow them. */
static bool bridge_param_in_event(sinsp_evt *ev, const sinsp_evt_param *p)
{
	const scap_evt *h = ev->*bridge_get(bridge_pevt_tag());
	if(h == nullptr || p == nullptr || h->len < sizeof(ppm_evt_hdr))
	{
		return false;
	}
	const char *lo = reinterpret_cast<const char *>(h) + sizeof(ppm_evt_hdr);
	const char *hi = reinterpret_cast<const char *>(h) + h->len;
	return p->m_val >= lo && p->m_val <= hi && p->m_len <= (size_t)(hi - p->m_val);
}

extern "C" {

/* MODE_ARGFLAGS: the answer, or -1 to ask libsinsp. A parameter that does
 * not fit in its event is false (libsinsp would read past the buffer). */
static int bridge_argflags_eval(sinsp_bridge_check *c, sinsp_evt *ev)
{
	const uint16_t t = ev->get_type();
	if(t >= PPM_EVENT_MAX)
	{
		return -1;
	}
	if(c->flags_param[t] == -2)
	{
		c->flags_param[t] = bridge_flags_param(t, c->argname);
	}
	const int8_t idx = c->flags_param[t];
	if(idx < 0 || (uint32_t)idx >= ev->get_num_params())
	{
		return -1;
	}
	const sinsp_evt_param *p = ev->get_param((uint32_t)idx);
	if(!bridge_param_in_event(ev, p))
	{
		return 0;
	}
	const ppm_param_info *pi = &scap_get_event_info_table()[t].params[idx];
	uint32_t val;
	if(pi->type == PT_FLAGS8 && p->m_len >= 1)
	{
		val = *(const uint8_t *)p->m_val;
	}
	else if(pi->type == PT_FLAGS16 && p->m_len >= 2)
	{
		uint16_t v16;
		memcpy(&v16, p->m_val, sizeof(v16));
		val = v16;
	}
	else if(pi->type == PT_FLAGS32 && p->m_len >= 4)
	{
		memcpy(&val, p->m_val, sizeof(val));
	}
	else
	{
		return -1;
	}
	char text[1024];
	if(!bridge_flags_text((const ppm_name_value *)pi->info, val, text, sizeof(text)))
	{
		return -1;
	}
	return strstr(text, c->needle.c_str()) != nullptr;
}

bool sinsp_bridge_check_eval_reference(sinsp_bridge_check *c, sinsp_bridge_evt *evt)
{
	if(c->mode == MODE_BCONTAINS || c->mode == MODE_BSTARTSWITH)
	{
		return sinsp_bridge_check_eval(c, evt);
	}
	try
	{
		return c->chk->compare(reinterpret_cast<sinsp_evt *>(evt));
	}
	catch(...)
	{
		return false;
	}
}

} /* extern "C" */

static inline bool bridge_check_eval(sinsp_bridge_check *c, sinsp_evt *ev)
{
	try
	{
		if(c->mode == MODE_EVTTYPE)
		{
			/* evt.type of a non-generic event is its table name, so the
			 * comparison is a lookup; generic events (codes 0 and 1) take
			 * their name from the syscall id: ask libsinsp. */
			const uint16_t t = ev->get_type();
			if(__builtin_expect(t > PPME_GENERIC_X && t < PPM_EVENT_MAX, 1))
			{
				return c->by_code[t];
			}
			return c->chk->compare(ev);
		}
		if(__builtin_expect(c->mode == MODE_SINSP, 1))
		{
			return c->chk->compare(ev);
		}
		if(c->mode == MODE_ARGFLAGS)
		{
			const int r = bridge_argflags_eval(c, ev);
			return r < 0 ? c->chk->compare(ev) : r != 0;
		}
		uint32_t len = 0;
		const uint8_t *v = nullptr;
		if(c->raw_data)
		{
			const sinsp_evt_param *p = ev->get_param_value_raw("data");
			if(p != nullptr && bridge_param_in_event(ev, p))
			{
				v = reinterpret_cast<const uint8_t *>(p->m_val);
				len = p->m_len;
			}
		}
		else
		{
			v = c->chk->extract(ev, &len, false);
		}
		if(v == nullptr)
		{
			return false;
		}
		if(len == 0 && c->is_string)
		{
			len = (uint32_t)strlen(reinterpret_cast<const char *>(v));
		}
		const size_t n = c->bytes.size();
		if(c->mode == MODE_BSTARTSWITH)
		{
			return len >= n && memcmp(v, c->bytes.data(), n) == 0;
		}
		return memmem(v, len, c->bytes.data(), n) != nullptr;
	}
	catch(const std::exception &e)
	{
		c->errors++;
		try
		{
			c->lasterr = e.what();
		}
		catch(...)
		{
		}
	}
	catch(...)
	{
		c->errors++;
	}
	return false;
}

extern "C" {

bool sinsp_bridge_check_eval(sinsp_bridge_check *c, sinsp_bridge_evt *evt)
{
	return bridge_check_eval(c, reinterpret_cast<sinsp_evt *>(evt));
}

size_t sinsp_bridge_check_evttypes(sinsp_bridge_check *c, uint16_t *codes, size_t cap)
{
	if(c == nullptr)
	{
		return 0;
	}
	if(!c->type_field)
	{
		/* What libsinsp answers for every other field: all event types
		 * (its s_all_event_types), without copying that set twice per
		 * check (evttypes() copies it into the check, the cache again). */
		const ppm_event_info *etable = scap_get_event_info_table();
		size_t n = 0;
		for(uint32_t i = 2; i < PPM_EVENT_MAX; i++)
		{
			if(evttype_indexable(etable, i))
			{
				if(codes != nullptr && n < cap)
				{
					codes[n] = static_cast<uint16_t>(i);
				}
				n++;
			}
		}
		return n;
	}
	try
	{
		if(!c->evttypes_cached)
		{
			c->evttypes_cache = c->chk->evttypes();
			c->evttypes_cached = true;
		}
		return write_codes(c->evttypes_cache, codes, cap);
	}
	catch(...)
	{
		return 0;
	}
}

uint64_t sinsp_bridge_check_eval_errors(const sinsp_bridge_check *c, sinsp_bridge_error *err)
{
	if(c == nullptr)
	{
		return 0;
	}
	if(c->errors > 0)
	{
		set_err(err, "%s", c->lasterr.c_str());
	}
	return c->errors;
}

void sinsp_bridge_check_free(sinsp_bridge_check *c)
{
	if(c == nullptr)
	{
		return;
	}
	try
	{
		delete c->chk;
	}
	catch(...)
	{
	}
	delete c;
}

/* ---- formatters --------------------------------------------------------- */

int sinsp_bridge_formatter_create(sinsp_bridge_inspector *insp, const char *format, sinsp_bridge_formatter **out,
				  sinsp_bridge_error *err)
{
	if(out != nullptr)
	{
		*out = nullptr;
	}
	if(insp == nullptr || format == nullptr || out == nullptr)
	{
		set_err(err, "create formatter: NULL argument");
		return SINSP_BRIDGE_EINVAL;
	}
	sinsp_bridge_formatter *bf = nullptr;
	try
	{
		bf = new sinsp_bridge_formatter();
		/* Two steps, not sinsp_evt_formatter(inspector, fmt): when the
		 * format is invalid, set_format() throws after allocating some
		 * filterchecks, and only the destructor of a fully constructed
		 * formatter frees them (the one-step constructor leaks them). */
		bf->f = new sinsp_evt_formatter(insp->s);
		bf->f->set_format(gen_event_formatter::OF_NORMAL, std::string(format));
		*out = bf;
		return SINSP_BRIDGE_OK;
	}
	catch(const std::exception &e)
	{
		sinsp_bridge_formatter_free(bf);
		static const char unknown_prefix[] = "invalid formatting token ";
		const char *what = e.what();
		if(strncmp(what, unknown_prefix, sizeof(unknown_prefix) - 1) == 0)
		{
			/* libsinsp quotes the rest of the format; keep the token only. */
			const char *tok = what + sizeof(unknown_prefix) - 1;
			size_t n = strcspn(tok, " \t\n()[],:;\"'");
			if(tok[n] == '[')
			{
				const char *close = strchr(tok + n, ']');
				n = close != nullptr ? (size_t)(close - tok + 1) : strlen(tok);
			}
			set_err(err, "invalid output format '%s': unknown field %%%.*s", format, (int)n, tok);
			return SINSP_BRIDGE_EUNKNOWN_FIELD;
		}
		set_err(err, "invalid output format '%s': %s", format, what);
		return SINSP_BRIDGE_ERROR;
	}
	catch(...)
	{
		sinsp_bridge_formatter_free(bf);
		return exception_to_err(err, "create formatter");
	}
}

void sinsp_bridge_formatter_free(sinsp_bridge_formatter *bf)
{
	if(bf == nullptr)
	{
		return;
	}
	try
	{
		delete bf->f;
	}
	catch(...)
	{
	}
	delete bf;
}

int sinsp_bridge_format(sinsp_bridge_formatter *bf, sinsp_bridge_evt *evt, char **out, bool *all_resolved,
			sinsp_bridge_error *err)
{
	if(out != nullptr)
	{
		*out = nullptr;
	}
	if(bf == nullptr || evt == nullptr || out == nullptr)
	{
		set_err(err, "format: NULL argument");
		return SINSP_BRIDGE_EINVAL;
	}
	try
	{
		std::string line;
		bool ok = bf->f->tostring_withformat(reinterpret_cast<sinsp_evt *>(evt), line,
						     gen_event_formatter::OF_NORMAL);
		if(all_resolved != nullptr)
		{
			*all_resolved = ok;
		}
		*out = dup_string(line);
		if(*out == nullptr)
		{
			set_err(err, "format: out of memory");
			return SINSP_BRIDGE_ERROR;
		}
		return SINSP_BRIDGE_OK;
	}
	catch(...)
	{
		return exception_to_err(err, "format");
	}
}

namespace {

/* The output_fields object, as falco_formats::format_event() builds it. */
std::string format_json_string(sinsp_bridge_formatter *bf, sinsp_bridge_evt *evt)
{
	std::string json;
	bf->f->tostring_withformat(reinterpret_cast<sinsp_evt *>(evt), json, gen_event_formatter::OF_JSON);
	if(!json.empty() && json[0] == '\n')
	{
		json.erase(0, 1);
	}
	return json;
}

} // namespace

int sinsp_bridge_format_json(sinsp_bridge_formatter *bf, sinsp_bridge_evt *evt, char **out,
			     sinsp_bridge_error *err)
{
	if(out != nullptr)
	{
		*out = nullptr;
	}
	if(bf == nullptr || evt == nullptr || out == nullptr)
	{
		set_err(err, "format json: NULL argument");
		return SINSP_BRIDGE_EINVAL;
	}
	try
	{
		*out = dup_string(format_json_string(bf, evt));
		if(*out == nullptr)
		{
			set_err(err, "format json: out of memory");
			return SINSP_BRIDGE_ERROR;
		}
		return SINSP_BRIDGE_OK;
	}
	catch(...)
	{
		return exception_to_err(err, "format json");
	}
}

int sinsp_bridge_format_fields(sinsp_bridge_formatter *bf, sinsp_bridge_evt *evt, sinsp_bridge_value_kind kind,
			       sinsp_bridge_field_value **out, size_t *n, sinsp_bridge_error *err)
{
	if(out != nullptr)
	{
		*out = nullptr;
	}
	if(n != nullptr)
	{
		*n = 0;
	}
	if(bf == nullptr || evt == nullptr || out == nullptr || n == nullptr)
	{
		set_err(err, "format fields: NULL argument");
		return SINSP_BRIDGE_EINVAL;
	}
	try
	{
		std::vector<std::pair<std::string, std::string>> pairs;
		if(kind == SINSP_BRIDGE_VALUES_TEXT)
		{
			/* Falco 0.31's get_field_values(): resolve_tokens(). */
			std::map<std::string, std::string> m;
			bf->f->resolve_tokens(reinterpret_cast<sinsp_evt *>(evt), m);
			for(auto &kv : m)
			{
				pairs.emplace_back(kv.first, kv.second);
			}
		}
		else if(kind == SINSP_BRIDGE_VALUES_JSON)
		{
			/* Split the exact output_fields object into its members,
			 * re-serialising each value the way jsoncpp wrote it. */
			std::string json = format_json_string(bf, evt);
			Json::CharReaderBuilder rb;
			rb["collectComments"] = false;
			std::unique_ptr<Json::CharReader> reader(rb.newCharReader());
			Json::Value root;
			std::string perr;
			if(!reader->parse(json.data(), json.data() + json.size(), &root, &perr) || !root.isObject())
			{
				set_err(err, "format fields: libsinsp produced invalid JSON: %s", perr.c_str());
				return SINSP_BRIDGE_ERROR;
			}
			Json::StreamWriterBuilder wb;
			wb["indentation"] = "";
			wb["commentStyle"] = "None";
			wb["emitUTF8"] = false;
			for(const std::string &name : root.getMemberNames())
			{
				pairs.emplace_back(name, Json::writeString(wb, root[name]));
			}
		}
		else
		{
			set_err(err, "format fields: unknown value kind %d", (int)kind);
			return SINSP_BRIDGE_EINVAL;
		}
		if(pairs.empty())
		{
			return SINSP_BRIDGE_OK;
		}
		/* One block: the array, then the strings. */
		size_t total = pairs.size() * sizeof(sinsp_bridge_field_value);
		for(auto &p : pairs)
		{
			total += p.first.size() + 1 + p.second.size() + 1;
		}
		char *block = static_cast<char *>(malloc(total));
		if(block == nullptr)
		{
			set_err(err, "format fields: out of memory");
			return SINSP_BRIDGE_ERROR;
		}
		sinsp_bridge_field_value *arr = reinterpret_cast<sinsp_bridge_field_value *>(block);
		char *str = block + pairs.size() * sizeof(sinsp_bridge_field_value);
		for(size_t i = 0; i < pairs.size(); i++)
		{
			memcpy(str, pairs[i].first.c_str(), pairs[i].first.size() + 1);
			arr[i].name = str;
			str += pairs[i].first.size() + 1;
			memcpy(str, pairs[i].second.c_str(), pairs[i].second.size() + 1);
			arr[i].value = str;
			str += pairs[i].second.size() + 1;
		}
		*out = arr;
		*n = pairs.size();
		return SINSP_BRIDGE_OK;
	}
	catch(...)
	{
		return exception_to_err(err, "format fields");
	}
}

/* ---- field listing ------------------------------------------------------ */

size_t sinsp_bridge_fieldclass_count(void)
{
	try
	{
		return catalog().classes.size();
	}
	catch(...)
	{
		return 0;
	}
}

int sinsp_bridge_fieldclass_get(size_t i, sinsp_bridge_fieldclass *out)
{
	try
	{
		const field_catalog &cat = catalog();
		if(out == nullptr || i >= cat.classes.size())
		{
			return SINSP_BRIDGE_EINVAL;
		}
		out->name = cat.classes[i].name.c_str();
		out->desc = cat.classes[i].desc.c_str();
		out->shortdesc = cat.classes[i].shortdesc.c_str();
		out->nfields = cat.fields[i].size();
		return SINSP_BRIDGE_OK;
	}
	catch(...)
	{
		return SINSP_BRIDGE_ERROR;
	}
}

int sinsp_bridge_field_get(size_t i, size_t j, sinsp_bridge_field *out)
{
	try
	{
		const field_catalog &cat = catalog();
		if(out == nullptr || i >= cat.classes.size() || j >= cat.fields[i].size())
		{
			return SINSP_BRIDGE_EINVAL;
		}
		*out = cat.fields[i][j];
		return SINSP_BRIDGE_OK;
	}
	catch(...)
	{
		return SINSP_BRIDGE_ERROR;
	}
}

char *sinsp_bridge_fieldclass_as_string(size_t i, bool verbose, const char *const *sources, size_t nsources)
{
	try
	{
		const field_catalog &cat = catalog();
		if(i >= cat.classes.size())
		{
			return nullptr;
		}
		std::set<std::string> src;
		for(size_t k = 0; sources != nullptr && k < nsources; k++)
		{
			if(sources[k] != nullptr)
			{
				src.insert(sources[k]);
			}
		}
		/* as_string() is not const: work on a copy. */
		gen_event_filter_factory::filter_fieldclass_info copy = cat.classes[i];
		return dup_string(copy.as_string(verbose, src));
	}
	catch(...)
	{
		return nullptr;
	}
}

/* ---- inspector settings from Falco's command line ------------------------ */

int sinsp_bridge_inspector_configure(sinsp_bridge_inspector *insp, const sinsp_bridge_settings *st,
				     sinsp_bridge_error *err)
{
	if(insp == nullptr || insp->s == nullptr || st == nullptr || insp->open)
	{
		set_err(err, "configure: no inspector, no settings, or the inspector is open");
		return SINSP_BRIDGE_EINVAL;
	}
	try
	{
		/* The order and the tests are Falco 0.31's (falco_init). */
		insp->s->set_buffer_format(st->base64_buffers ? sinsp_evt::PF_BASE64 : sinsp_evt::PF_NORMAL);
		for(size_t i = 0; i < st->ncri_sockets; i++)
		{
			if(st->cri_sockets[i] != nullptr && st->cri_sockets[i][0] != '\0')
			{
				insp->s->add_cri_socket_path(st->cri_sockets[i]);
			}
		}
		insp->s->set_cri_async(!st->disable_cri_async);
		if(st->snaplen != 0)
		{
			insp->s->set_snaplen(st->snaplen);
		}
		insp->replay_snaplen = st->snaplen;
		return SINSP_BRIDGE_OK;
	}
	catch(...)
	{
		return exception_to_err(err, "configure the inspector");
	}
}

} /* extern "C" */

namespace {

/* The index of each event code's I/O buffer parameter (the PT_BYTEBUF named
 * "data" that the driver cuts at snaplen: read, write, send, recv, their
 * vector and positional forms), or -1. */
const std::vector<int8_t> &replay_data_params()
{
	static const std::vector<int8_t> table = [] {
		std::vector<int8_t> t(PPM_EVENT_MAX, -1);
		const ppm_event_info *etable = scap_get_event_info_table();
		for(uint32_t c = 0; c < PPM_EVENT_MAX; c++)
		{
			for(uint32_t i = 0; i < etable[c].nparams && i < 127; i++)
			{
				if(etable[c].params[i].type == PT_BYTEBUF && strcmp(etable[c].params[i].name, "data") == 0)
				{
					t[c] = (int8_t)i;
				}
			}
		}
		return t;
	}();
	return table;
}

void replay_truncate_data(sinsp_bridge_inspector *insp, sinsp_evt *ev)
{
	uint16_t code = ev->get_type();
	if(code >= PPM_EVENT_MAX)
	{
		return;
	}
	int8_t idx = replay_data_params()[code];
	if(idx < 0 || (uint32_t)idx >= ev->get_num_params())
	{
		return;
	}
	/* Every field and the formatter read parameters through this table,
	 * loaded once per event: shortening the length here is what they see. */
	sinsp_evt_param *p = ev->get_param((uint32_t)idx);
	if(p->m_len > insp->replay_snaplen)
	{
		p->m_len = insp->replay_snaplen;
	}
}

} // namespace

extern "C" {

char *sinsp_bridge_ignored_event_names(void)
{
	try
	{
		/* Falco's -i: event and syscall names skipped in simple-consumer
		 * mode, placeholders ("NA...") left out, sorted and unique. */
		const ppm_event_info *etable = scap_get_event_info_table();
		const ppm_syscall_desc *stable = scap_get_syscall_info_table();
		std::set<std::string> names;
		for(uint32_t j = 0; j < PPM_EVENT_MAX; j++)
		{
			std::string name = etable[j].name;
			if(!sinsp::simple_consumer_consider_evtnum(j) && name.find("NA") != 0)
			{
				names.insert(name);
			}
		}
		for(uint32_t j = 0; j < PPM_SC_MAX; j++)
		{
			std::string name = stable[j].name;
			if(!sinsp::simple_consumer_consider_syscallid(j) && name.find("NA") != 0)
			{
				names.insert(name);
			}
		}
		std::string out;
		for(const auto &n : names)
		{
			out += out.empty() ? "" : " ";
			out += n;
		}
		return dup_string(out);
	}
	catch(...)
	{
		return nullptr;
	}
}

} /* extern "C" */

/* ------------------------------------------------------------------------ */
/* The syscall field backend (engine/backends/backend.h)                    */
/* ------------------------------------------------------------------------ */

namespace {

struct syscall_backend {
	sinsp_bridge_inspector *insp = nullptr;
	const backend *self = nullptr;
	backend_event ev = {};
};

inline syscall_backend *sb_of(void *ctx)
{
	return static_cast<syscall_backend *>(ctx);
}

inline sinsp_bridge_check *chk_of(backend_check *c)
{
	return reinterpret_cast<sinsp_bridge_check *>(c);
}

inline sinsp_bridge_formatter *fmt_of(backend_format *f)
{
	return reinterpret_cast<sinsp_bridge_formatter *>(f);
}

inline sinsp_bridge_evt *evt_of(const backend_event *e)
{
	return static_cast<sinsp_bridge_evt *>(e->payload);
}

/* Copies a bridge message to the engine's buffer. */
int sb_err(int rc, const sinsp_bridge_error &e, char *err, size_t errlen)
{
	if(rc < 0 && err != nullptr && errlen > 0)
	{
		snprintf(err, errlen, "%s", e.msg);
	}
	return rc;
}

bool sb_evttype_indexable(void *, uint16_t code)
{
	return sinsp_bridge_evttype_is_indexable(code);
}

size_t sb_fieldclass_count(void *)
{
	return sinsp_bridge_fieldclass_count();
}

int sb_fieldclass_get(void *, size_t i, backend_fieldclass *out)
{
	sinsp_bridge_fieldclass c;
	int rc = sinsp_bridge_fieldclass_get(i, &c);
	if(rc == SINSP_BRIDGE_OK)
	{
		out->name = c.name;
		out->desc = c.desc;
		out->shortdesc = c.shortdesc;
		out->nfields = c.nfields;
	}
	return rc;
}

int sb_field_get(void *, size_t i, size_t j, backend_field *out)
{
	sinsp_bridge_field f;
	int rc = sinsp_bridge_field_get(i, j, &f);
	if(rc == SINSP_BRIDGE_OK)
	{
		out->name = f.name;
		out->type = f.type;
		out->desc = f.desc;
		out->flags = ((f.flags & SINSP_BRIDGE_FIELD_FILTER_ONLY) ? BACKEND_FIELD_FILTER_ONLY : 0) |
			     ((f.flags & SINSP_BRIDGE_FIELD_TABLE_ONLY) ? BACKEND_FIELD_TABLE_ONLY : 0);
	}
	return rc;
}

char *sb_fieldclass_as_string(void *, size_t i, bool verbose, const char *const *sources, size_t nsources)
{
	return sinsp_bridge_fieldclass_as_string(i, verbose, sources, nsources);
}

int sb_check_compile(void *ctx, const backend_leaf *leaf, backend_check **out, char *err, size_t errlen)
{
	sinsp_bridge_error e;
	sinsp_bridge_check *c = nullptr;
	const char *op = condition_op_to_string(leaf->op);
	if(op == nullptr)
	{
		snprintf(err, errlen, "unknown operator #%d for field %s", (int)leaf->op, leaf->field);
		return BACKEND_EBAD_OPERATOR;
	}
	int rc = sinsp_bridge_check_compile(sb_of(ctx)->insp, leaf->field, leaf->arg, op, leaf->values, leaf->nvalues,
					    &c, &e);
	*out = reinterpret_cast<backend_check *>(c);
	return sb_err(rc, e, err, errlen);
}

bool sb_check_eval(backend_check *chk, const backend_event *evt)
{
	return bridge_check_eval(chk_of(chk), static_cast<sinsp_evt *>(evt->payload));
}

size_t sb_check_evttypes(backend_check *chk, uint16_t *codes, size_t cap)
{
	return sinsp_bridge_check_evttypes(chk_of(chk), codes, cap);
}

/* The four events whose open flags set evt.is_open_* in libsinsp 2022. */
const uint16_t k_open_flag_codes[] = {PPME_SYSCALL_OPEN_X, PPME_SYSCALL_OPENAT_E, PPME_SYSCALL_OPENAT_2_X,
				      PPME_SYSCALL_OPENAT2_X};

bool sb_check_code_values(backend_check *chk, backend_code_value *vals, size_t n)
{
	sinsp_bridge_check *c = chk_of(chk);
	for(size_t i = 0; i < n; i++)
	{
		vals[i] = BACKEND_CODE_VARIES;
	}
	switch(c->shape)
	{
	case SHAPE_NONE:
		return false;
	case SHAPE_EVTTYPE: {
		/* Generic events (codes 0 and 1) carry their syscall's name:
		 * they stay per event. */
		std::vector<uint16_t> codes(PPM_EVENT_MAX);
		size_t k = sinsp_bridge_check_evttypes(c, codes.data(), codes.size());
		for(size_t i = 2; i < n; i++)
		{
			vals[i] = BACKEND_CODE_FALSE;
		}
		for(size_t i = 0; i < k && i < codes.size(); i++)
		{
			if(codes[i] >= 2 && codes[i] < n)
			{
				vals[codes[i]] = BACKEND_CODE_TRUE;
			}
		}
		return true;
	}
	case SHAPE_EVTDIR:
		for(size_t i = 0; i < n; i++)
		{
			vals[i] = ((i & 1) != 0) == c->shape_exit ? BACKEND_CODE_TRUE : BACKEND_CODE_FALSE;
		}
		return true;
	case SHAPE_OPEN_FLAG:
		for(size_t i = 0; i < n; i++)
		{
			vals[i] = c->shape_outside ? BACKEND_CODE_TRUE : BACKEND_CODE_FALSE;
		}
		for(uint16_t code : k_open_flag_codes)
		{
			if(code < n)
			{
				vals[code] = BACKEND_CODE_VARIES;
			}
		}
		return true;
	}
	return false;
}

/* Relative cost of extracting a field, from what libsinsp must do: event
 * header fields are free, event parameters cheap, thread-table fields
 * moderate, fd-table fields (path sanitising on failed opens) dear. */
unsigned sb_field_cost(void *, const char *field)
{
	static const struct {
		const char *prefix;
		unsigned cost;
	} costs[] = {
		{"evt.type", 1}, {"evt.dir", 1}, {"evt.num", 1}, {"evt.is_", 2}, {"evt.", 3},
		{"proc.", 4},    {"thread.", 4}, {"user.", 4},   {"group.", 4},  {"container.", 5},
		{"fd.", 6},      {"fdlist.", 6}, {"k8s.", 8},
	};
	for(const auto &c : costs)
	{
		if(strncmp(field, c.prefix, strlen(c.prefix)) == 0)
		{
			return c.cost;
		}
	}
	return 5;
}

void sb_check_free(backend_check *chk)
{
	sinsp_bridge_check_free(chk_of(chk));
}

int sb_format_compile(void *ctx, const char *format, backend_format **out, char *err, size_t errlen)
{
	sinsp_bridge_error e;
	sinsp_bridge_formatter *f = nullptr;
	int rc = sinsp_bridge_formatter_create(sb_of(ctx)->insp, format, &f, &e);
	*out = reinterpret_cast<backend_format *>(f);
	return sb_err(rc, e, err, errlen);
}

int sb_format_text(backend_format *fmt, const backend_event *evt, char **out, char *err, size_t errlen)
{
	sinsp_bridge_error e;
	return sb_err(sinsp_bridge_format(fmt_of(fmt), evt_of(evt), out, nullptr, &e), e, err, errlen);
}

int sb_format_json(backend_format *fmt, const backend_event *evt, char **out, char *err, size_t errlen)
{
	sinsp_bridge_error e;
	return sb_err(sinsp_bridge_format_json(fmt_of(fmt), evt_of(evt), out, &e), e, err, errlen);
}

static_assert(sizeof(backend_field_value) == sizeof(sinsp_bridge_field_value) &&
		      offsetof(backend_field_value, name) == offsetof(sinsp_bridge_field_value, name) &&
		      offsetof(backend_field_value, value) == offsetof(sinsp_bridge_field_value, value),
	      "the bridge's field list is handed out as the backend's");

int sb_format_fields(backend_format *fmt, const backend_event *evt, backend_field_value **out, size_t *n,
		     char *err, size_t errlen)
{
	sinsp_bridge_error e;
	sinsp_bridge_field_value *fv = nullptr;
	int rc = sinsp_bridge_format_fields(fmt_of(fmt), evt_of(evt), SINSP_BRIDGE_VALUES_TEXT, &fv, n, &e);
	*out = reinterpret_cast<backend_field_value *>(fv);
	return sb_err(rc, e, err, errlen);
}

void sb_format_free(backend_format *fmt)
{
	sinsp_bridge_formatter_free(fmt_of(fmt));
}

/* libscap's capture files start with its section header block, whose
 * type is 0x0A0D0D0A in either byte order. */
bool sb_capture_probe(void *, const unsigned char *head, size_t n)
{
	static const unsigned char magic[] = {0x0A, 0x0D, 0x0D, 0x0A};
	return n >= sizeof(magic) && memcmp(head, magic, sizeof(magic)) == 0;
}

int sb_capture_open(void *ctx, const char *path, char *err, size_t errlen)
{
	sinsp_bridge_error e;
	return sb_err(sinsp_bridge_open_file(sb_of(ctx)->insp, path, &e), e, err, errlen);
}

int sb_next_event(void *ctx, backend_event **evt, char *err, size_t errlen)
{
	syscall_backend *b = sb_of(ctx);
	sinsp_bridge_evt *se = nullptr;
	sinsp_bridge_error e;
	*evt = nullptr;
	int rc = sinsp_bridge_next(b->insp, &se, &e);
	if(__builtin_expect(rc == SINSP_BRIDGE_OK, 1))
	{
		sinsp_evt *ev = reinterpret_cast<sinsp_evt *>(se);
		b->ev.backend = b->self;
		b->ev.ts = ev->get_ts();
		b->ev.type = ev->get_type();
		b->ev.payload = se;
		*evt = &b->ev;
		return BACKEND_OK;
	}
	if(rc == SINSP_BRIDGE_TIMEOUT)
	{
		return BACKEND_TIMEOUT;
	}
	if(rc == SINSP_BRIDGE_EOF)
	{
		return BACKEND_EOF;
	}
	return sb_err(rc < 0 ? rc : BACKEND_ERROR, e, err, errlen);
}

void sb_capture_close(void *ctx)
{
	sinsp_bridge_close(sb_of(ctx)->insp);
}

int sb_live_open(void *ctx, const char *arg, uint32_t timeout_ms, char *err, size_t errlen)
{
	sinsp_bridge_error e;
	int rc = sinsp_bridge_open_live(sb_of(ctx)->insp, arg, timeout_ms, &e);
	return sb_err(rc == SINSP_BRIDGE_EUNAVAILABLE ? BACKEND_EUNAVAILABLE : rc, e, err, errlen);
}

int sb_live_stats(void *ctx, uint64_t out[3])
{
	sinsp_bridge_stats st;
	if(!sinsp_bridge_is_live(sb_of(ctx)->insp) || sinsp_bridge_get_stats(sb_of(ctx)->insp, &st) != SINSP_BRIDGE_OK)
	{
		return BACKEND_EINVAL;
	}
	out[0] = st.driver_events;
	out[1] = st.drops;
	out[2] = st.preemptions;
	return BACKEND_OK;
}

static int sb_live_drops(void *ctx, backend_drops *out)
{
	sinsp_bridge_stats st;
	if(!sinsp_bridge_is_live(sb_of(ctx)->insp) || sinsp_bridge_get_stats(sb_of(ctx)->insp, &st) != SINSP_BRIDGE_OK)
	{
		return BACKEND_EINVAL;
	}
	out->n_evts = st.driver_events;
	out->n_drops = st.drops;
	out->n_drops_buffer = st.drops_buffer;
	out->n_drops_scratch_map = st.drops_scratch_map;
	out->n_drops_pf = st.drops_pf;
	out->n_drops_bug = st.drops_bug;
	out->n_preemptions = st.preemptions;
	return BACKEND_OK;
}

void sb_destroy(void *ctx)
{
	syscall_backend *b = sb_of(ctx);
	sinsp_bridge_inspector_destroy(b->insp);
	delete b;
}

} // namespace

extern "C" {

int sinsp_bridge_backend_create(const backend_opts *o, backend *out, char *err, size_t errlen)
{
	syscall_backend *b = new(std::nothrow) syscall_backend();
	if(b == nullptr)
	{
		snprintf(err, errlen, "out of memory");
		return BACKEND_ERROR;
	}
	sinsp_bridge_error e;
	b->insp = sinsp_bridge_inspector_create(o != nullptr && o->all_events ? SINSP_BRIDGE_ALL_EVENTS : 0, &e);
	if(b->insp == nullptr)
	{
		snprintf(err, errlen, "cannot create the event inspector: %s", e.msg);
		delete b;
		return BACKEND_ERROR;
	}
	if(o != nullptr)
	{
		sinsp_bridge_settings st = {o->base64_buffers, o->cri_sockets, o->ncri_sockets, o->disable_cri_async,
					    o->snaplen};
		if(sinsp_bridge_inspector_configure(b->insp, &st, &e) != SINSP_BRIDGE_OK)
		{
			snprintf(err, errlen, "%s", e.msg);
			sinsp_bridge_inspector_destroy(b->insp);
			delete b;
			return BACKEND_ERROR;
		}
	}
	b->self = out;
	out->source = "syscall";
	out->ctx = b;
	out->time_field = "evt.time";
	out->evttype_count = PPM_EVENT_MAX;
	out->evttype_indexable = sb_evttype_indexable;
	out->fieldclass_count = sb_fieldclass_count;
	out->fieldclass_get = sb_fieldclass_get;
	out->field_get = sb_field_get;
	out->fieldclass_as_string = sb_fieldclass_as_string;
	out->check_compile = sb_check_compile;
	out->check_eval = sb_check_eval;
	out->check_evttypes = sb_check_evttypes;
	out->check_code_values = sb_check_code_values;
	out->field_cost = sb_field_cost;
	out->check_free = sb_check_free;
	out->format_compile = sb_format_compile;
	out->format_text = sb_format_text;
	out->format_json = sb_format_json;
	out->format_fields = sb_format_fields;
	out->format_free = sb_format_free;
	out->capture_probe = sb_capture_probe;
	out->capture_open = sb_capture_open;
	out->next_event = sb_next_event;
	out->capture_close = sb_capture_close;
	out->live_open = sb_live_open;
	out->live_stats = sb_live_stats;
	out->live_drops = sb_live_drops;
	out->destroy = sb_destroy;
	return BACKEND_OK;
}

} /* extern "C" */
