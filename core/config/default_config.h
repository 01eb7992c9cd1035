#ifndef FAPI_DEFAULT_CONFIG_H
#define FAPI_DEFAULT_CONFIG_H

/* The configuration compiled into the binary: what falco-apid runs with when
 * no -c is given, and the base that a falco.yaml is merged over. */
extern const char default_config_yaml[];

#endif
