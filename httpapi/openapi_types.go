package httpapi

import (
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"

	"jobflow"
	"jobflow/document"
	"jobflow/engine"
	"jobflow/internal/openapi"
	"jobflow/invoke"
	"jobflow/jobtypes"
)

// schemaOf names the Go type a route decodes or answers; the document's
// schema is reflected from it (internal/openapi), so the two cannot drift.
func schemaOf[T any]() reflect.Type { return reflect.TypeFor[T]() }

// componentNames are the component names of types whose Go name is not
// the (stable) name the console's generated types use. Every other named
// struct is its Go name with a capital letter; jobflow.List[T] is T's name
// and "List".
var componentNames = map[reflect.Type]string{
	schemaOf[errorBody]():                             "Error",
	schemaOf[meResponse]():                            "Me",
	schemaOf[memberView]():                            "Member",
	schemaOf[jobflow.Member]():                        "MemberView",
	schemaOf[jobflow.RetryPolicy]():                   "Retry",
	schemaOf[jobflow.JobUpdate]():                     "JobInput",
	schemaOf[workflowView]():                          "Workflow",
	schemaOf[connTest]():                              "ConnectionTest",
	schemaOf[publishedView]():                         "Published",
	schemaOf[engine.BackfillRequest]():                "BackfillInput",
	schemaOf[issuedToken]():                           "InvokeTokenIssued",
	schemaOf[document.Diff]():                         "VersionDiff",
	schemaOf[jobflow.VersionSummary]():                "VersionSummary",
	schemaOf[apiTokenCreated]():                       "APITokenCreated",
	schemaOf[apiTokenInput]():                         "APITokenInput",
	schemaOf[jobflow.List[*jobflow.AuditEntry]]():     "AuditList",
	schemaOf[jobflow.List[*jobflow.Member]]():         "MemberList",
	schemaOf[jobflow.List[*jobflow.NodeRunItem]]():    "NodeRunList",
	schemaOf[jobflow.List[*jobflow.VersionSummary]](): "VersionList",
	schemaOf[jobflow.List[workflowItem]]():            "WorkflowList",
	schemaOf[document.Problem]():                      "ImportProblem",
	schemaOf[document.Mapping]():                      "ImportMapping",
	schemaOf[invoke.Request]():                        "InvokeRequest",
	schemaOf[jobtypes.Info]():                         "JobTypeInfo",
	// Types only embedded elsewhere: never components of their own.
	schemaOf[jobflow.Workflow](): "",
	// The envelope's inner object: inline in Error.
	schemaOf[jobflow.Error](): "",
}

// componentName is the reflector's naming hook (see componentNames).
func componentName(t reflect.Type) string {
	if n, ok := componentNames[t]; ok {
		return n
	}
	name := t.Name()
	if base, arg, ok := strings.Cut(name, "["); ok && base == "List" {
		if f, ok := t.FieldByName("Items"); ok {
			e := f.Type.Elem()
			if e.Kind() == reflect.Pointer {
				e = e.Elem()
			}
			return componentName(e) + "List"
		}
		_ = arg
	}
	r, n := utf8.DecodeRuneInString(name)
	return string(unicode.ToUpper(r)) + name[n:]
}

var (
	roles = []string{string(jobflow.RoleTenantAdmin), string(jobflow.RoleMember)}
)

// enums are the values of the domain's named string types.
var enums = map[reflect.Type][]string{
	schemaOf[jobflow.Role]():              roles,
	schemaOf[jobflow.WorkflowStatus]():    {"DRAFT", "PUBLISHED", "OFFLINE"},
	schemaOf[jobflow.TriggerRule]():       {"ALL_SUCCESS", "ALL_DONE", "ONE_SUCCESS", "ONE_FAILED", "NONE_FAILED"},
	schemaOf[jobflow.FailureStrategy]():   {"CONTINUE", "END"},
	schemaOf[jobflow.AlarmEvent]():        {"RUN_START", "RUN_END", "RUN_FAIL", "RUN_SUCCESS", "APPROVAL_WAITING", "JOB_TIMEOUT", "RUN_TIMEOUT"},
	schemaOf[jobflow.JobType]():           jobTypeNames(),
	schemaOf[jobflow.JobKind]():           {string(jobflow.KindActivity), string(jobflow.KindControl)},
	schemaOf[jobflow.DatasourceType]():    {"POSTGRES", "MYSQL"},
	schemaOf[jobflow.NodeStatus]():        names(jobflow.NodeStatuses),
	schemaOf[jobflow.RunStatus]():         names(jobflow.RunStatuses),
	schemaOf[jobflow.Trigger]():           {"MANUAL", "SCHEDULE", "INVOKE", "RERUN", "BACKFILL", "SUBFLOW"},
	schemaOf[jobflow.RerunMode]():         {"ALL", "FAILED", "FROM_NODE", "NODE"},
	schemaOf[jobflow.AlarmChannelType]():  {"WEBHOOK", "DINGTALK", "FEISHU", "WECOM", "EMAIL"},
	schemaOf[jobflow.AlarmStatus]():       {"SENT", "FAILED", "SILENCED"},
	schemaOf[jobflow.LoginThrottleKind](): {"PAIR", "ADDR"},
}

// fieldSchemas are hand-supplied schemas of fields reflection cannot see
// through: a job's config is raw JSON whose shape depends on its type, a
// union of the registry's config schemas (jobConfigComponents).
var fieldSchemas = map[string]openapi.Schema{
	"Job.config":      jobConfigUnion(),
	"JobInput.config": jobConfigUnion(),
	// A channel's config is raw JSON whose keys depend on its type.
	"AlarmChannel.config":      {"description": "the public part of the config", "properties": map[string]any{"from": map[string]any{"type": "string"}, "hasPassword": map[string]any{"type": "boolean"}, "hasSecret": map[string]any{"type": "boolean"}, "headerNames": map[string]any{"items": map[string]any{"type": "string"}, "type": "array"}, "host": map[string]any{"type": "string"}, "port": map[string]any{"type": "integer"}, "skipVerify": map[string]any{"type": "boolean"}, "tls": map[string]any{"type": "string"}, "to": map[string]any{"items": map[string]any{"type": "string"}, "type": "array"}, "urlPreview": map[string]any{"type": "string"}, "username": map[string]any{"type": "string"}}, "type": "object"},
	"AlarmChannelInput.config": {"description": "write-only secrets: url, headers, secret and password are stored encrypted and never returned; an absent one keeps its stored value on PATCH", "properties": map[string]any{"from": map[string]any{"type": "string"}, "headers": map[string]any{"additionalProperties": map[string]any{"type": "string"}, "type": "object"}, "host": map[string]any{"type": "string"}, "password": map[string]any{"type": "string"}, "port": map[string]any{"type": "integer"}, "secret": map[string]any{"type": "string"}, "skipVerify": map[string]any{"type": "boolean"}, "tls": map[string]any{"type": "string"}, "to": map[string]any{"items": map[string]any{"type": "string"}, "type": "array"}, "url": map[string]any{"type": "string"}, "username": map[string]any{"type": "string"}}, "type": "object"},
	// A node's result is raw JSON: an object once the job ran, else null.
	"NodeRun.result": {"type": "object", "nullable": true, "additionalProperties": true},
}

// newReflector is the reflector with this package's hooks.
func newReflector() *openapi.Reflector {
	return &openapi.Reflector{Name: componentName, Enums: enums, Fields: fieldSchemas, Extra: schemaDocs}
}

// jobTypeNames are the registered job types (package jobtypes).
func jobTypeNames() []string {
	var out []string
	for _, d := range jobflow.JobTypes() {
		out = append(out, string(d.Type()))
	}
	return out
}

// jobConfigName is the component of a job type's config: SHELL →
// ShellJobConfig.
func jobConfigName(t jobflow.JobType) string {
	s := strings.ToLower(string(t))
	return strings.ToUpper(s[:1]) + s[1:] + "JobConfig"
}

// jobConfigComponents are the config schemas of the registered job types,
// each the type's own (jobflow.JobTypeDef.Schema).
func jobConfigComponents() map[string]openapi.Schema {
	out := map[string]openapi.Schema{}
	for _, d := range jobflow.JobTypes() {
		out[jobConfigName(d.Type())] = openapi.Schema(d.Schema())
	}
	return out
}

// jobConfigUnion is a job's config: the schema of its type's config, one
// per value of the job's type (SHELL → ShellJobConfig, …).
func jobConfigUnion() openapi.Schema {
	var refs []any
	var names []string
	for _, d := range jobflow.JobTypes() {
		refs = append(refs, map[string]any{"$ref": "#/components/schemas/" + jobConfigName(d.Type())})
		names = append(names, string(d.Type())+" → "+jobConfigName(d.Type()))
	}
	return openapi.Schema{"anyOf": refs, "description": "the config of the job's type: " + strings.Join(names, ", ")}
}

// tagJobUnion makes Job a union tagged by its type, as the registry has
// it: the reflected Job's fields but config become JobFields, each
// registered type gets <Type>Job (JobFields, type fixed to it, config of
// its type's schema), and Job is one of those, discriminated by type.
// Every response that answers a Job refers to the union.
func tagJobUnion(schemas map[string]openapi.Schema) {
	job := schemas["Job"]
	props, _ := job["properties"].(map[string]any)
	if props == nil {
		return
	}
	fields := map[string]any{}
	for k, v := range props {
		if k != "config" {
			fields[k] = v
		}
	}
	var required []string
	if req, ok := job["required"].([]string); ok {
		for _, r := range req {
			if r != "config" {
				required = append(required, r)
			}
		}
	}
	schemas["JobFields"] = openapi.Schema{"type": "object", "properties": fields, "required": required,
		"description": "the fields every job has, whatever its type"}
	var variants []any
	mapping := map[string]any{}
	for _, d := range jobflow.JobTypes() {
		name := strings.TrimSuffix(jobConfigName(d.Type()), "Config")
		schemas[name] = openapi.Schema{
			"description": "a " + string(d.Type()) + " job",
			"allOf": []any{
				map[string]any{"$ref": "#/components/schemas/JobFields"},
				map[string]any{"type": "object", "required": []string{"type", "config"}, "properties": map[string]any{
					"type":   map[string]any{"type": "string", "enum": []string{string(d.Type())}},
					"config": map[string]any{"$ref": "#/components/schemas/" + jobConfigName(d.Type())},
				}},
			},
		}
		variants = append(variants, map[string]any{"$ref": "#/components/schemas/" + name})
		mapping[string(d.Type())] = "#/components/schemas/" + name
	}
	schemas["Job"] = openapi.Schema{"description": "a job: its fields and the config of its type, tagged by type",
		"oneOf": variants, "discriminator": map[string]any{"propertyName": "type", "mapping": mapping}}
}

// names are the values of a domain enum, as the document lists them.
func names[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}
