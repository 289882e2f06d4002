package jobflow

import (
	"bytes"
	"encoding/json"
	"errors"
	"net"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// AlarmChannelType is where an alarm goes.
type AlarmChannelType string

// Alarm channel types.
const (
	ChannelWebhook  AlarmChannelType = "WEBHOOK"  // JSON POST to any URL
	ChannelDingTalk AlarmChannelType = "DINGTALK" // 钉钉 group robot
	ChannelFeishu   AlarmChannelType = "FEISHU"   // 飞书 (Lark) custom bot
	ChannelWeCom    AlarmChannelType = "WECOM"    // 企业微信 group robot
	ChannelEmail    AlarmChannelType = "EMAIL"    // SMTP
)

// SMTP TLS modes of an EMAIL channel.
const (
	SMTPTLSAuto     = "auto"     // STARTTLS when the server offers it (default)
	SMTPTLSStartTLS = "starttls" // STARTTLS, fail if the server does not offer it
	SMTPTLSImplicit = "implicit" // TLS from the first byte (SMTPS, port 465; default there)
	SMTPTLSNone     = "none"     // never TLS: only for a relay on localhost or a trusted LAN
)

// Limits of an alarm channel's config.
const (
	MaxAlarmHeaders   = 20
	MaxAlarmRecipient = 50
	MaxAlarmResponse  = 4096 // bytes of a channel's answer kept in an AlarmRecord
)

// PrefixAlarmRecord prefixes AlarmRecord ids.
const PrefixAlarmRecord = "ar"

// AlarmChannel is a tenant's alarm destination. Config is the PUBLIC part of
// its settings only (what the API returns); the secret part lives in an
// AlarmSecrets that the store keeps encrypted and the API never returns.
//
// Every HTTP channel's url counts as a secret: a robot's url carries its
// access token (DingTalk access_token, WeCom key, Feishu hook id), and anyone
// holding it can post to the group. Config shows only "urlPreview"
// (scheme://host/…), "headerNames", and "hasSecret"/"hasPassword".
type AlarmChannel struct {
	ID        string           `json:"id"`
	TenantID  string           `json:"tenantId"`
	Name      string           `json:"name"`
	Type      AlarmChannelType `json:"type"`
	Config    json.RawMessage  `json:"config"`
	Remark    string           `json:"remark"`
	CreatedAt time.Time        `json:"createdAt"`
	UpdatedAt time.Time        `json:"updatedAt"`
}

// AlarmSecrets is the secret part of a channel's settings. The store keeps it
// as one encrypted string: Cipher.EncryptString(string(s.Marshal())).
type AlarmSecrets struct {
	URL      string            `json:"url,omitempty"`      // every HTTP type
	Headers  map[string]string `json:"headers,omitempty"`  // WEBHOOK: may hold tokens
	Secret   string            `json:"secret,omitempty"`   // DINGTALK/FEISHU signing key
	Password string            `json:"password,omitempty"` // EMAIL
}

// Marshal is the JSON of s, for encryption at rest.
func (s AlarmSecrets) Marshal() []byte {
	b, _ := json.Marshal(s)
	return b
}

// UnmarshalAlarmSecrets reverses Marshal; "" gives empty secrets.
func UnmarshalAlarmSecrets(b []byte) (AlarmSecrets, error) {
	var s AlarmSecrets
	if len(bytes.TrimSpace(b)) == 0 {
		return s, nil
	}
	err := json.Unmarshal(b, &s)
	return s, err
}

// AlarmConfig is the full, merged config of a channel (public part plus
// secrets), as the senders need it. Only the fields of the channel's type are set.
type AlarmConfig struct {
	URL        string            `json:"url,omitempty"`
	Headers    map[string]string `json:"headers,omitempty"`
	Secret     string            `json:"secret,omitempty"`
	Host       string            `json:"host,omitempty"`
	Port       int               `json:"port,omitempty"`
	Username   string            `json:"username,omitempty"`
	Password   string            `json:"password,omitempty"`
	From       string            `json:"from,omitempty"`
	To         []string          `json:"to,omitempty"`
	TLS        string            `json:"tls,omitempty"`
	SkipVerify bool              `json:"skipVerify,omitempty"` // accept any server certificate
}

// alarmPublic is the JSON shape of AlarmChannel.Config.
type alarmPublic struct {
	URLPreview  string   `json:"urlPreview,omitempty"`
	HeaderNames []string `json:"headerNames,omitempty"`
	HasSecret   bool     `json:"hasSecret"`
	Host        string   `json:"host,omitempty"`
	Port        int      `json:"port,omitempty"`
	Username    string   `json:"username,omitempty"`
	HasPassword bool     `json:"hasPassword,omitempty"`
	From        string   `json:"from,omitempty"`
	To          []string `json:"to,omitempty"`
	TLS         string   `json:"tls,omitempty"`
	SkipVerify  bool     `json:"skipVerify,omitempty"`
}

// FullConfig merges the public config of ch with its secrets.
func (ch AlarmChannel) FullConfig(s AlarmSecrets) (AlarmConfig, error) {
	var p alarmPublic
	if len(ch.Config) > 0 {
		if err := json.Unmarshal(ch.Config, &p); err != nil {
			return AlarmConfig{}, errors.New("alarm channel: stored config is malformed")
		}
	}
	return AlarmConfig{
		URL: s.URL, Headers: s.Headers, Secret: s.Secret, Password: s.Password,
		Host: p.Host, Port: p.Port, Username: p.Username, From: p.From, To: p.To,
		TLS: p.TLS, SkipVerify: p.SkipVerify,
	}, nil
}

// split is the inverse of FullConfig.
func (c AlarmConfig) split() (json.RawMessage, AlarmSecrets) {
	p := alarmPublic{
		URLPreview: urlPreview(c.URL), HasSecret: c.Secret != "",
		Host: c.Host, Port: c.Port, Username: c.Username, HasPassword: c.Password != "",
		From: c.From, To: c.To, TLS: c.TLS, SkipVerify: c.SkipVerify,
	}
	for name := range c.Headers {
		p.HeaderNames = append(p.HeaderNames, name)
	}
	slices.Sort(p.HeaderNames) // stable output for the API and tests
	b, _ := json.Marshal(p)
	return b, AlarmSecrets{URL: c.URL, Headers: c.Headers, Secret: c.Secret, Password: c.Password}
}

// urlPreview shows where a url points without its token: scheme://host/….
func urlPreview(raw string) string {
	u, err := url.Parse(raw)
	if raw == "" || err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host + "/…"
}

// AlarmChannelInput is the create/update body. On update, a secret config
// field that is absent keeps its stored value (the API never returns it, so
// a client cannot send it back); present and empty clears it. Changing the
// type starts the config afresh. The output-only keys of a returned config
// (urlPreview, headerNames, hasSecret, hasPassword) are accepted and ignored.
type AlarmChannelInput struct {
	Name   *string           `json:"name"`
	Type   *AlarmChannelType `json:"type"`
	Config json.RawMessage   `json:"config"`
	Remark *string           `json:"remark"`
}

// alarmConfigInput is the config of an AlarmChannelInput; nil means absent.
type alarmConfigInput struct {
	URL        *string            `json:"url"`
	Headers    *map[string]string `json:"headers"`
	Secret     *string            `json:"secret"`
	Host       *string            `json:"host"`
	Port       *int               `json:"port"`
	Username   *string            `json:"username"`
	Password   *string            `json:"password"`
	From       *string            `json:"from"`
	To         *[]string          `json:"to"`
	TLS        *string            `json:"tls"`
	SkipVerify *bool              `json:"skipVerify"`

	URLPreview  json.RawMessage `json:"urlPreview"`
	HeaderNames json.RawMessage `json:"headerNames"`
	HasSecret   json.RawMessage `json:"hasSecret"`
	HasPassword json.RawMessage `json:"hasPassword"`
}

// Apply applies in to a copy of ch and its stored secrets sec (both zero on
// create), validates the result and returns the new channel and secrets.
func (in AlarmChannelInput) Apply(ch AlarmChannel, sec AlarmSecrets) (*AlarmChannel, AlarmSecrets, error) {
	if in.Name != nil {
		ch.Name = *in.Name
	}
	if in.Remark != nil {
		ch.Remark = *in.Remark
	}
	var c AlarmConfig
	if in.Type == nil || *in.Type == ch.Type {
		var err error
		if c, err = ch.FullConfig(sec); err != nil {
			return nil, AlarmSecrets{}, err
		}
	} else {
		ch.Type = *in.Type // a new type starts from an empty config
	}
	if err := ValidateName("name", ch.Name); err != nil {
		return nil, AlarmSecrets{}, err
	}
	if err := ValidateRemark(ch.Remark); err != nil {
		return nil, AlarmSecrets{}, err
	}
	switch ch.Type {
	case ChannelWebhook, ChannelDingTalk, ChannelFeishu, ChannelWeCom, ChannelEmail:
	default:
		return nil, AlarmSecrets{}, InvalidField("type", "type must be one of WEBHOOK, DINGTALK, FEISHU, WECOM, EMAIL")
	}
	if len(bytes.TrimSpace(in.Config)) > 0 && string(bytes.TrimSpace(in.Config)) != "null" {
		var ci alarmConfigInput
		if err := decodeStrict(in.Config, &ci); err != nil {
			return nil, AlarmSecrets{}, err
		}
		if err := ci.check(ch.Type); err != nil {
			return nil, AlarmSecrets{}, err
		}
		ci.overlay(&c)
	}
	if err := c.validate(ch.Type); err != nil {
		return nil, AlarmSecrets{}, err
	}
	var s AlarmSecrets
	ch.Config, s = c.split()
	return &ch, s, nil
}

// decodeStrict decodes a config object, refusing unknown keys, with an error
// that names the key instead of a Go type.
func decodeStrict(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	err := d.Decode(v)
	var te *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &te) && te.Field != "":
		return InvalidField("config."+te.Field, "config.%s has the wrong type", te.Field)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return InvalidField("config."+name, "config.%s is not a known setting", name)
	}
	return InvalidField("config", "config must be a JSON object")
}

// check refuses settings that the channel type does not use.
func (ci alarmConfigInput) check(t AlarmChannelType) error {
	used := map[AlarmChannelType]map[string]bool{
		ChannelWebhook:  {"url": true, "headers": true},
		ChannelDingTalk: {"url": true, "secret": true},
		ChannelFeishu:   {"url": true, "secret": true},
		ChannelWeCom:    {"url": true},
		ChannelEmail:    {"host": true, "port": true, "username": true, "password": true, "from": true, "to": true, "tls": true, "skipVerify": true},
	}[t]
	given := []struct {
		name string
		set  bool
	}{
		{"url", ci.URL != nil}, {"headers", ci.Headers != nil}, {"secret", ci.Secret != nil && *ci.Secret != ""},
		{"host", ci.Host != nil}, {"port", ci.Port != nil}, {"username", ci.Username != nil},
		{"password", ci.Password != nil}, {"from", ci.From != nil}, {"to", ci.To != nil},
		{"tls", ci.TLS != nil}, {"skipVerify", ci.SkipVerify != nil},
	}
	for _, g := range given {
		if g.set && !used[g.name] {
			if t == ChannelWeCom && g.name == "secret" {
				return InvalidField("config.secret", "WECOM robots do not sign messages: leave config.secret empty")
			}
			return InvalidField("config."+g.name, "config.%s is not used by %s channels", g.name, t)
		}
	}
	return nil
}

// overlay copies the fields present in ci onto c.
func (ci alarmConfigInput) overlay(c *AlarmConfig) {
	setS := func(dst *string, src *string) {
		if src != nil {
			*dst = strings.TrimSpace(*src)
		}
	}
	setS(&c.URL, ci.URL)
	setS(&c.Host, ci.Host)
	setS(&c.Username, ci.Username)
	setS(&c.From, ci.From)
	setS(&c.TLS, ci.TLS)
	if ci.Secret != nil {
		c.Secret = *ci.Secret // secrets are taken verbatim
	}
	if ci.Password != nil {
		c.Password = *ci.Password
	}
	if ci.Headers != nil {
		c.Headers = *ci.Headers
	}
	if ci.Port != nil {
		c.Port = *ci.Port
	}
	if ci.To != nil {
		c.To = *ci.To
	}
	if ci.SkipVerify != nil {
		c.SkipVerify = *ci.SkipVerify
	}
}

// validate checks c for a channel of type t and fills defaults.
func (c *AlarmConfig) validate(t AlarmChannelType) error {
	if t != ChannelEmail {
		if err := validateHTTPURL(c.URL); err != nil {
			return err
		}
		if len(c.Secret) > 1024 {
			return InvalidField("config.secret", "config.secret must be at most 1024 characters")
		}
		if len(c.Headers) > MaxAlarmHeaders {
			return InvalidField("config.headers", "config.headers: at most %d headers", MaxAlarmHeaders)
		}
		for name, value := range c.Headers {
			if !validHeaderName(name) {
				return InvalidField("config.headers", "config.headers: %q is not a valid header name", name)
			}
			if strings.ContainsAny(value, "\r\n\x00") || len(value) > 4096 {
				return InvalidField("config.headers", "config.headers: the value of %q must be one line of at most 4096 bytes", name)
			}
		}
		return nil
	}
	badHost := strings.ContainsAny(c.Host, " /\t") || (strings.Contains(c.Host, ":") && net.ParseIP(c.Host) == nil)
	if c.Host == "" || len(c.Host) > 255 || badHost {
		return InvalidField("config.host", "config.host is required: an SMTP server name or address, without port")
	}
	if c.TLS == "" {
		c.TLS = SMTPTLSAuto
		if c.Port == 465 {
			c.TLS = SMTPTLSImplicit
		}
	}
	switch c.TLS {
	case SMTPTLSAuto, SMTPTLSStartTLS, SMTPTLSImplicit, SMTPTLSNone:
	default:
		return InvalidField("config.tls", "config.tls must be auto, starttls, implicit or none")
	}
	if c.Port == 0 {
		c.Port = 587
		if c.TLS == SMTPTLSImplicit {
			c.Port = 465
		}
	}
	if c.Port < 1 || c.Port > 65535 {
		return InvalidField("config.port", "config.port must be between 1 and 65535")
	}
	if len(c.Username) > 255 || len(c.Password) > 1024 {
		return InvalidField("config.username", "config.username (255) or config.password (1024) is too long")
	}
	if c.Username != "" && c.Password == "" {
		return InvalidField("config.password", "config.password is required with config.username")
	}
	if c.Username == "" && c.Password != "" {
		return InvalidField("config.username", "config.username is required with config.password")
	}
	if _, err := mail.ParseAddress(c.From); err != nil {
		return InvalidField("config.from", "config.from must be an email address")
	}
	if len(c.To) == 0 || len(c.To) > MaxAlarmRecipient {
		return InvalidField("config.to", "config.to must list 1 to %d email addresses", MaxAlarmRecipient)
	}
	for _, to := range c.To {
		if _, err := mail.ParseAddress(to); err != nil {
			return InvalidField("config.to", "config.to: %q is not an email address", to)
		}
	}
	return nil
}

func validateHTTPURL(raw string) error {
	u, err := url.Parse(raw)
	if raw == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(raw) > 2048 {
		return InvalidField("config.url", "config.url is required: an http(s) URL of at most 2048 characters")
	}
	if u.User != nil {
		return InvalidField("config.url", "config.url must not hold a user name or password; use config.headers")
	}
	return nil
}

// validHeaderName reports whether name is an HTTP token (RFC 9110).
func validHeaderName(name string) bool {
	if name == "" || len(name) > 128 {
		return false
	}
	for _, r := range name {
		if r > '~' || r <= ' ' || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r) {
			return false
		}
	}
	return true
}

// AlarmStatus is the outcome of one send attempt.
type AlarmStatus string

// Alarm record statuses.
const (
	AlarmSent   AlarmStatus = "SENT"
	AlarmFailed AlarmStatus = "FAILED"
	// AlarmSilenced: the rule's silence window held the alarm back; it
	// was not sent (docs/scheduling.md#alarms).
	AlarmSilenced AlarmStatus = "SILENCED"
)

// AlarmRecord is one attempt to send one alarm to one channel.
type AlarmRecord struct {
	ID           string      `json:"id"`
	TenantID     string      `json:"tenantId"`
	RunID        string      `json:"runId"`      // "" for a channel test
	WorkflowID   string      `json:"workflowId"` // "" for a channel test
	ChannelID    string      `json:"channelId"`
	JobID        string      `json:"jobId,omitempty"`  // the job of a job event
	Repeat       int         `json:"repeat,omitempty"` // a lasting event sent again: 1, 2, …
	Event        AlarmEvent  `json:"event"`
	Status       AlarmStatus `json:"status"`
	Attempt      int         `json:"attempt"`
	ResponseCode int         `json:"responseCode"` // HTTP status (SMTP reply code for EMAIL); 0 if none came
	Response     string      `json:"response"`     // the first MaxAlarmResponse bytes of the answer
	Error        string      `json:"error"`
	CreatedAt    time.Time   `json:"createdAt"`
}

// SetOutcome fills the status, answer and error of r from a send's result.
func (r *AlarmRecord) SetOutcome(code int, response string, err error) {
	r.ResponseCode = code
	r.Response = TruncateUTF8(response, MaxAlarmResponse)
	r.Status, r.Error = AlarmSent, ""
	if err != nil {
		r.Status, r.Error = AlarmFailed, TruncateUTF8(err.Error(), MaxAlarmResponse)
	}
}

// TruncateUTF8 cuts s to at most n bytes without splitting a character.
func TruncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
