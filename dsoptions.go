package jobflow

import (
	"net/netip"
	"regexp"
	"sort"
	"strings"
)

// Datasource driver options are an allow-list per driver (docs/security.md): the
// options a tenant may set are those that cannot make the driver read a
// local file, present a client credential of this host, widen what the
// server may ask of the client, or connect anywhere but the datasource's
// own host and port. Anything not listed is refused, on create and update
// (400, details.field "options.<name>") and again when a stored datasource
// is connected (connection test, SQL jobs).

// dsOption checks one option's value; "" when it is fine, else why not.
type dsOption func(v string) string

var (
	numberRE   = regexp.MustCompile(`^[0-9]{1,9}$`)
	durationRE = regexp.MustCompile(`^[0-9]{1,9}(\.[0-9]+)?(ns|us|µs|ms|s|m|h)$`)
	wordRE     = regexp.MustCompile(`^[A-Za-z0-9_.,+:/ -]{1,200}$`)
	identRE    = regexp.MustCompile(`^[A-Za-z0-9_$, "-]{1,200}$`)
	zoneRE     = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,3}$`)
)

func anyOf(vals ...string) dsOption {
	return func(v string) string {
		for _, a := range vals {
			if v == a {
				return ""
			}
		}
		return "must be one of " + strings.Join(vals, ", ")
	}
}

func match(re *regexp.Regexp, what string) dsOption {
	return func(v string) string {
		if re.MatchString(v) {
			return ""
		}
		return "must be " + what
	}
}

var boolOption = anyOf("true", "false", "1", "0")

// postgresOptions are the lib/pq options allowed. Refused, among others:
// host, hostaddr, port, dbname, user, password (the datasource's own
// fields), passfile, service, sslcert, sslkey, sslrootcert, sslpassword,
// sslinline, sslcrl (files of this host or credentials), krbsrvname,
// options, and any unknown name (lib/pq sends those to the server).
var postgresOptions = map[string]dsOption{
	"sslmode":                             anyOf("disable", "allow", "prefer", "require", "verify-ca", "verify-full"),
	"sslsni":                              boolOption,
	"connect_timeout":                     match(numberRE, "a number of seconds"),
	"application_name":                    match(wordRE, "at most 200 letters, digits and _.,+:/ -"),
	"fallback_application_name":           match(wordRE, "at most 200 letters, digits and _.,+:/ -"),
	"search_path":                         match(identRE, "a list of schema names"),
	"statement_timeout":                   match(numberRE, "a number of milliseconds"),
	"lock_timeout":                        match(numberRE, "a number of milliseconds"),
	"idle_in_transaction_session_timeout": match(numberRE, "a number of milliseconds"),
	"timezone":                            match(zoneRE, "a time zone name"),
	"TimeZone":                            match(zoneRE, "a time zone name"),
	"client_encoding":                     match(regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`), "an encoding name"),
	"datestyle":                           match(regexp.MustCompile(`^[A-Za-z, ]{1,32}$`), "a date style"),
	"DateStyle":                           match(regexp.MustCompile(`^[A-Za-z, ]{1,32}$`), "a date style"),
	"extra_float_digits":                  match(regexp.MustCompile(`^-?[0-9]$`), "a digit"),
	"target_session_attrs":                anyOf("any", "read-write", "read-only", "primary", "standby", "prefer-standby"),
	"binary_parameters":                   anyOf("yes", "no"),
	"disable_prepared_binary_result":      anyOf("yes", "no"),
}

// mysqlOptions are the go-sql-driver/mysql options allowed. Refused, among
// others: allowAllFiles (LOAD DATA LOCAL INFILE of any file of the worker),
// allowCleartextPasswords, allowFallbackToPlaintext, allowOldPasswords,
// serverPubKey and tls other than true/false/skip-verify/preferred (names of
// configurations registered in the process), multiStatements (jobflow splits
// scripts itself and never needs it), connectionAttributes, and any unknown
// name (the driver sends those to the server as SET statements).
var mysqlOptions = map[string]dsOption{
	"charset":              match(regexp.MustCompile(`^[A-Za-z0-9_]{1,32}(,[A-Za-z0-9_]{1,32}){0,3}$`), "a character set name (or a comma-separated list)"),
	"collation":            match(regexp.MustCompile(`^[A-Za-z0-9_]{1,64}$`), "a collation name"),
	"loc":                  match(zoneRE, "a time zone name (Local, UTC, Asia/Shanghai)"),
	"parseTime":            boolOption,
	"timeout":              match(durationRE, "a duration (10s, 500ms)"),
	"readTimeout":          match(durationRE, "a duration (10s, 500ms)"),
	"writeTimeout":         match(durationRE, "a duration (10s, 500ms)"),
	"maxAllowedPacket":     match(numberRE, "a number of bytes"),
	"clientFoundRows":      boolOption,
	"columnsWithAlias":     boolOption,
	"rejectReadOnly":       boolOption,
	"interpolateParams":    boolOption,
	"checkConnLiveness":    boolOption,
	"allowNativePasswords": boolOption,
	"timeTruncate":         match(durationRE, "a duration"),
	"compress":             boolOption,
	"tls":                  anyOf("true", "false", "skip-verify", "preferred"),
}

// refusedWhy explains the refusal of the options known to be dangerous.
var refusedWhy = map[string]string{
	"allowAllFiles":            "it lets the server read any file of the worker (LOAD DATA LOCAL INFILE)",
	"allowCleartextPasswords":  "it sends the password in clear text",
	"allowFallbackToPlaintext": "it sends the connection in clear text when TLS fails",
	"allowOldPasswords":        "it allows the insecure old password protocol",
	"multiStatements":          "jobflow splits scripts into statements itself",
	"serverPubKey":             "it names a key registered in the worker",
	"sslcert":                  "it reads a file of the worker",
	"sslkey":                   "it reads a file of the worker",
	"sslrootcert":              "it reads a file of the worker",
	"sslcrl":                   "it reads a file of the worker",
	"sslpassword":              "it unlocks a key file of the worker",
	"sslinline":                "client certificates are not supported",
	"passfile":                 "it reads a file of the worker",
	"service":                  "it reads a file of the worker",
	"host":                     "the datasource's host field says where to connect",
	"hostaddr":                 "the datasource's host field says where to connect",
	"port":                     "the datasource's port field says where to connect",
	"user":                     "the datasource's user field says who connects",
	"password":                 "the datasource's password field holds the password",
	"dbname":                   "the datasource's database field names the database",
}

// CheckDatasourceOptions checks options against the allow-list of the
// datasource type t. The error (EINVALID, details.field "options.<name>")
// names the first refused option in name order.
func CheckDatasourceOptions(t DatasourceType, options map[string]string) error {
	var allowed map[string]dsOption
	switch t {
	case DatasourcePostgres:
		allowed = postgresOptions
	case DatasourceMySQL:
		allowed = mysqlOptions
	default:
		return InvalidField("type", "type must be POSTGRES or MYSQL")
	}
	names := make([]string, 0, len(options))
	for k := range options {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		field := "options." + k
		check, ok := allowed[k]
		if !ok {
			why := refusedWhy[k]
			if why == "" {
				why = "it is not on the " + string(t) + " allow-list"
			}
			return InvalidField(field, "datasource option %q is not allowed for %s: %s", k, t, why)
		}
		if msg := check(options[k]); msg != "" {
			return InvalidField(field, "datasource option %q %s", k, msg)
		}
	}
	return nil
}

// CheckDatasourceHost checks that host is a DNS name or an IP address: no
// unix socket path, no list of hosts.
func CheckDatasourceHost(host string) error {
	if host == "" || len(host) > 255 {
		return InvalidField("host", "host is required (at most 255 characters)")
	}
	if a, err := netip.ParseAddr(host); err == nil && a.Zone() == "" {
		return nil
	}
	if !hostNameRE.MatchString(host) {
		return InvalidField("host", "host must be a DNS name or an IP address (not a socket path or a list)")
	}
	return nil
}

var hostNameRE = regexp.MustCompile(`^[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})?(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})?)*\.?$`)

// CheckConnectable checks a stored datasource before it is connected: its
// host and options as on create, so a row stored before these checks (or
// written around them) cannot connect with a refused option.
func (d *Datasource) CheckConnectable() error {
	if err := CheckDatasourceHost(d.Host); err != nil {
		return err
	}
	return CheckDatasourceOptions(d.Type, d.Options)
}
