"""Every operator of the condition language against real sinsp state, over
the generated basic.scap (see tests/gen/README.md for what it contains).

Each case is one rule; the test asserts the exact alert lines (time prefix,
priority and evt.num), so a missing or wrong operator changes the set, and
most cases have a negative twin that must not match.

Note: without -A, events with EF_DROP_SIMPLE_CONS (read, write, close, stat,
futex, mmap, ...) are skipped, as in Falco; cases on those events pass -A.
"""

import unittest

from engine_testlib import EngineTest, evt_time_text

EXECVE = "evt.type = execve and evt.dir = <"
OPEN = "evt.type in (open, openat) and evt.dir = <"
CONNECT = "evt.type = connect and evt.dir = <"
IO = "evt.type in (read, write, sendto, recvfrom) and evt.dir = <"

# execve exits in basic.scap: evt.num -> proc.name (pid)
#  7 cat (1210)   21 cat (1211)   31 sh (1220)   50 make (1230)  57 gcc (1231)
#  62 cc1 (1232)  83 my proc (1240)  95 x*y?[z] (1250)  103 café (1251)
#  113 python3.11 (1260)  133 sh (1300)  145 tee (1301)  157 cat (3010)  171 curl (3020)
ALL_EXECVE = [7, 21, 31, 50, 57, 62, 83, 95, 103, 113, 133, 145, 157, 171]


class OperatorTest(EngineTest):

    def rule_yaml(self, cond, output="n=%evt.num"):
        return ("- rule: op\n"
                "  desc: operator under test\n"
                "  condition: |-\n"
                "    %s\n"
                "  output: \"%s\"\n"
                "  priority: INFO\n" % (cond, output))

    def matches(self, cond, args=(), output="n=%evt.num"):
        r = self.run_ok(self.rules_file(self.rule_yaml(cond, output)), args=args)
        self.assertEqual(r.messages, [], r.describe())
        ev, sev, rules = r.summary()
        if r.alerts:
            self.assertEqual(rules, {"op": len(r.alerts)}, r.describe())
            self.assertEqual(sev, {"INFO": len(r.alerts)}, r.describe())
        return r

    def check(self, cond, nums, args=()):
        """The rule fires exactly on these evt.nums, in order."""
        r = self.matches(cond, args)
        want = ["%s: Informational n=%d" % (evt_time_text(n), n) for n in nums]
        self.assertEqual(r.alerts, want, "condition: %s\n%s" % (cond, r.describe()))

    def cases(self, table, args=()):
        for cond, nums in table:
            with self.subTest(cond=cond):
                self.check(cond, nums, args)

    # -- comparison operators ---------------------------------------------

    def test_eq(self):
        self.cases([
            (EXECVE + " and proc.name = cat", [7, 21, 157]),
            (EXECVE + " and proc.pid = 1240", [83]),
            (CONNECT + " and fd.sport = 443", [175]),
            (EXECVE + " and proc.name = ca", []),
            (EXECVE + " and proc.pid = 1241", []),
        ])

    def test_ne(self):
        self.cases([
            (EXECVE + " and proc.name = cat and proc.pid != 1210", [21, 157]),
            (EXECVE + " and proc.name != cat", [n for n in ALL_EXECVE if n not in (7, 21, 157)]),
            # 185 (refused) has no fd.sport: a missing field matches no operator
            (CONNECT + " and fd.sport != 443", [191]),
            (CONNECT + " and fd.l4proto = udp", [191]),
        ])

    def test_lt_le_gt_ge(self):
        self.cases([
            (EXECVE + " and proc.pid < 1230", [7, 21, 31]),
            (EXECVE + " and proc.pid <= 1230", [7, 21, 31, 50]),
            (EXECVE + " and proc.pid > 3010", [171]),
            (EXECVE + " and proc.pid >= 3010", [157, 171]),
            (EXECVE + " and proc.pid < 1210", []),
            (EXECVE + " and proc.pid > 3020", []),
        ])

    def test_numeric_compare_on_results(self):
        # read sizes: 11=121 66=60 87=18 122=13 161=51 179=47 216=77 220=45 232=69
        self.cases([
            ("evt.type = read and evt.dir = < and evt.rawres > 70", [11, 216]),
            ("evt.type = read and evt.dir = < and evt.rawres <= 18", [87, 122]),
            ("evt.type = openat and evt.dir = < and evt.rawarg.fd < 0", [23, 39, 234]),
        ], args=["-A"])

    # -- string operators ---------------------------------------------------

    def test_contains(self):
        self.cases([
            (EXECVE + ' and proc.cmdline contains "/etc/"', [7, 21, 133, 145, 157]),
            (OPEN + ' and fd.name contains "Report (final)"', [85]),
            (EXECVE + ' and proc.cmdline contains "/ETC/"', []),
        ])

    def test_icontains(self):
        self.cases([
            (EXECVE + ' and proc.name icontains "CAF"', [103]),
            (EXECVE + ' and proc.name contains "CAF"', []),
            (EXECVE + ' and proc.cmdline icontains "SUDOERS"', [145]),
        ])

    def test_startswith(self):
        self.cases([
            (EXECVE + " and proc.name startswith python", [113]),
            (OPEN + " and fd.name startswith /etc", [9, 23, 39, 135, 147, 159]),
            (OPEN + " and fd.name startswith /etcx", []),
        ])

    def test_endswith(self):
        self.cases([
            (EXECVE + " and proc.name endswith proc", [83]),
            (EXECVE + ' and proc.exepath endswith "/cat"', [7, 21, 157]),
            (EXECVE + " and proc.name endswith pro", []),
        ])

    def test_glob(self):
        self.cases([
            (EXECVE + ' and proc.name glob "c?t"', [7, 21, 157]),
            (EXECVE + ' and proc.name glob "c*"', [7, 21, 62, 103, 157, 171]),
            (EXECVE + ' and proc.name glob "ca"', []),
            # a literal '*' in the name, escaped for fnmatch (\\ in the condition string)
            (EXECVE + ' and proc.name glob "x\\\\*y*"', [95]),
            # brackets: escaped they are literal; unescaped they are a class
            (OPEN + ' and fd.name glob "*/Report (final) \\\\[v2\\\\].txt"', [85]),
            (OPEN + ' and fd.name glob "*/Report (final) [v2].txt"', []),
        ])

    def test_pmatch(self):
        self.cases([
            (OPEN + " and fd.name pmatch (/etc/sudoers.d, /tmp)", [33, 68, 105, 147]),
            # path prefix, not string prefix
            (OPEN + " and fd.name pmatch (/et, /tm)", []),
        ])

    def test_in(self):
        self.cases([
            (EXECVE + " and proc.name in (sh, tee)", [31, 133, 145]),
            (EXECVE + ' and proc.name in ("my proc", "x*y?[z]")', [83, 95]),
            (CONNECT + ' and fd.sip in ("10.0.0.5", "8.8.8.8")', [175, 191]),
            (EXECVE + " and proc.name in (my, proc, sha)", []),
        ])

    def test_intersects(self):
        self.cases([
            (EXECVE + " and proc.name intersects (cat, nothing)", [7, 21, 157]),
            (EXECVE + " and proc.name intersects (nothing, else)", []),
        ])

    def test_exists(self):
        self.cases([
            # cc1's ancestry goes 7 levels up (gcc make sh bash sshd sshd systemd)
            (EXECVE + " and proc.aname[7] exists", [62]),
            (EXECVE + " and proc.aname[8] exists", []),
            (EXECVE + " and proc.aname[5] exists", [50, 57, 62]),
            (EXECVE + " and not proc.aname[5] exists", [n for n in ALL_EXECVE if n not in (50, 57, 62)]),
        ])

    # -- field arguments ------------------------------------------------------

    def test_field_arguments(self):
        self.cases([
            (EXECVE + " and proc.aname[2] = make", [62]),
            (EXECVE + " and proc.aname[3] = sh", [62]),
            (EXECVE + " and proc.aname[1] = make", [57]),
            (EXECVE + " and proc.aname = sh", [50, 57, 62]),
            (CONNECT + " and proc.aname[2] = containerd-shim", [175, 185, 191]),
            ("evt.type = openat and evt.dir = < and evt.arg.name = /etc/hosts", [135]),
            ("evt.type = openat and evt.dir = < and evt.arg[2] = /etc/hosts", [135]),
            ("evt.type = openat and evt.dir = > and evt.arg.name = /etc/hosts", [134]),
            (CONNECT + " and evt.arg[0] = ECONNREFUSED", [185]),
            (CONNECT + ' and evt.arg[1] = "172.17.0.2:40002->10.0.0.6:8080"', [185]),
            ("evt.type = openat and evt.dir = < and evt.arg.flags contains O_APPEND", [135, 147]),
        ])

    # -- byte operators (evaluated by the bridge on the extracted bytes) -----

    def test_bcontains_bstartswith_rawarg(self):
        self.cases([
            (IO + " and evt.rawarg.data bcontains deadbeef", [177]),
            (IO + " and evt.rawarg.data bcontains DEADBEEF", [177]),
            (IO + " and evt.rawarg.data bcontains cafebabe", [179]),
            (IO + " and evt.rawarg.data bcontains ffffffff", []),
            (IO + " and evt.rawarg.data bstartswith 1603", [177, 179]),
            (IO + " and evt.rawarg.data bstartswith 160301", [177]),
            (IO + " and evt.rawarg.data bstartswith 1234", [193, 195]),
            (IO + " and evt.rawarg.data bstartswith 0301", []),
        ], args=["-A"])

    def test_bcontains_printable_evt_buffer(self):
        # "example" (in the DNS query and in the line written to /etc/hosts)
        self.check(IO + " and evt.buffer bcontains 6578616d706c65", [137, 193, 195], args=["-A"])
        # without -A the write (137) is skipped, sendto/recvfrom are not
        self.check(IO + " and evt.buffer bcontains 6578616d706c65", [193, 195])

    def test_bcontains_binary_evt_buffer(self):
        self.cases([
            (IO + " and evt.buffer bcontains deadbeef", [177]),
            (IO + " and evt.buffer bstartswith 160301", [177]),
            (IO + " and evt.buffer bstartswith 1234", [193, 195]),
        ], args=["-A"])

    def test_byte_operator_needs_hex(self):
        for needle in ("16030", "xyz"):
            with self.subTest(needle=needle):
                path = self.rules_file(self.rule_yaml(IO + " and evt.buffer bcontains " + needle))
                r = self.run_fail(path)
                self.assert_error(r, path, 3, "rule 'op'", "hex string")

    # -- strings: quoting, spaces, escapes, raw bytes -------------------------

    def test_quoted_strings_with_spaces(self):
        self.cases([
            (EXECVE + ' and proc.name = "my proc"', [83]),
            (EXECVE + " and proc.name = 'my proc'", [83]),
            (EXECVE + ' and proc.cmdline = "my proc --opt value with space"', [83]),
            (EXECVE + ' and proc.exepath = "/opt/my tools/my proc"', [83]),
            (OPEN + ' and fd.name = "/home/alice/Documents/Report (final) [v2].txt"', [85]),
            (EXECVE + ' and proc.name = "my  proc"', []),
            (EXECVE + ' and proc.cmdline contains "\'10.0.0.99 evil.example\'"', [133]),
            (EXECVE + ' and proc.name = "x*y?[z]"', [95]),
            # UTF-8 bytes in a process name compare as raw bytes
            (EXECVE + ' and proc.name = "café"', [103]),
            (EXECVE + ' and proc.cmdline contains "\\""', []),
        ])

    def test_quoted_name_in_output(self):
        r = self.matches(OPEN + ' and fd.name contains "(final) [v2]"', output="%proc.name read %fd.name")
        self.assertEqual(r.alerts, [evt_time_text(85) + ": Informational my proc read "
                                    "/home/alice/Documents/Report (final) [v2].txt"], r.describe())

    def test_unsupported_escape_is_an_error(self):
        path = self.rules_file(self.rule_yaml(EXECVE + ' and proc.name = "x*y?\\[z]"'))
        r = self.run_fail(path)
        self.assert_error(r, path, 3, "rule 'op'", r"unsupported escape")

    # -- boolean structure ------------------------------------------------------

    def test_and_or_not_parentheses(self):
        self.cases([
            (EXECVE + " and (proc.name = cat or proc.name = tee) and not container.id = host", [157]),
            (EXECVE + " and (proc.name = cat or proc.name = tee) and container.id = host", [7, 21, 145]),
            (EXECVE + " and not (proc.pid < 3000 or proc.name = curl)", [157]),
        ])

    def test_container_fields(self):
        self.cases([
            (EXECVE + " and container.id != host", [157, 171]),
            (EXECVE + " and container.name = toolbox and container.privileged = true", [157, 171]),
            ("evt.type = setuid and evt.dir = < and user.name = nginx and container.image.repository = nginx",
             [210, 212]),
        ])


if __name__ == "__main__":
    unittest.main()
