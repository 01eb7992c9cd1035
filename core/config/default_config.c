#include "config/default_config.h"

/* Secure by default: gRPC on a unix socket only reachable by root and the
 * socket's group; TCP needs mutual TLS. */
const char default_config_yaml[] =
	"rules_file: []\n"
	"json_output: false\n"
	"json_include_output_property: true\n"
	"json_include_tags_property: true\n"
	"time_format_iso_8601: false\n"
	"priority: debug\n"
	"log_level: info\n"
	"stdout_output:\n"
	"  enabled: true\n"
	"outputs:\n"
	"  rate: 0\n"
	"  max_burst: 1000\n"
	"grpc:\n"
	"  enabled: true\n"
	"  bind_address: \"unix:///run/falco/falco.sock\"\n"
	"  threadiness: 0\n"
	"  unix_socket_mode: 0660\n"
	"  insecure: false\n"
	"grpc_output:\n"
	"  enabled: true\n"
	"load_modules: [version, outputs]\n"
	"modules: []\n";
