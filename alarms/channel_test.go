package alarms_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"jobflow"
)

// newChannel builds a channel the way the API does: through the input's Apply.
func newChannel(t testing.TB, typ jobflow.AlarmChannelType, config string) (jobflow.AlarmChannel, jobflow.AlarmSecrets) {
	t.Helper()
	name := "ops " + string(typ)
	ch, sec, err := jobflow.AlarmChannelInput{Name: &name, Type: &typ, Config: json.RawMessage(config)}.Apply(jobflow.AlarmChannel{}, jobflow.AlarmSecrets{})
	if err != nil {
		t.Fatalf("Apply(%s %s): %v", typ, config, err)
	}
	return *ch, sec
}

func publicMap(t *testing.T, ch jobflow.AlarmChannel) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(ch.Config, &m); err != nil {
		t.Fatalf("public config %s: %v", ch.Config, err)
	}
	return m
}

func TestAlarmChannelInput_Apply(t *testing.T) {
	t.Run("SecretsNeverInPublicConfig", func(t *testing.T) {
		cases := []struct {
			typ     jobflow.AlarmChannelType
			config  string
			secrets []string
		}{
			{jobflow.ChannelWebhook, `{"url":"https://hooks.example.com/in?token=TOK1","headers":{"Authorization":"Bearer TOK2"}}`, []string{"TOK1", "TOK2"}},
			{jobflow.ChannelDingTalk, `{"url":"https://oapi.dingtalk.com/robot/send?access_token=TOK3","secret":"SECTOK4"}`, []string{"TOK3", "SECTOK4"}},
			{jobflow.ChannelFeishu, `{"url":"https://open.feishu.cn/open-apis/bot/v2/hook/TOK5","secret":"TOK6"}`, []string{"TOK5", "TOK6"}},
			{jobflow.ChannelWeCom, `{"url":"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=TOK7"}`, []string{"TOK7"}},
			{jobflow.ChannelEmail, `{"host":"smtp.example.com","username":"u","password":"TOK8","from":"a@example.com","to":["b@example.com"]}`, []string{"TOK8"}},
		}
		for _, c := range cases {
			ch, sec := newChannel(t, c.typ, c.config)
			out, _ := json.Marshal(ch)
			for _, s := range c.secrets {
				if strings.Contains(string(out), s) {
					t.Errorf("%s: the channel's JSON %s shows the secret %s", c.typ, out, s)
				}
				if !strings.Contains(string(sec.Marshal()), s) {
					t.Errorf("%s: the secrets %s lack %s", c.typ, sec.Marshal(), s)
				}
			}
			full, err := ch.FullConfig(sec)
			if err != nil {
				t.Fatal(err)
			}
			var in map[string]any
			json.Unmarshal([]byte(c.config), &in)
			if u, ok := in["url"]; ok && full.URL != u {
				t.Errorf("%s: FullConfig url = %q, want %q", c.typ, full.URL, u)
			}
		}
	})

	t.Run("PublicConfigShape", func(t *testing.T) {
		ch, _ := newChannel(t, jobflow.ChannelWebhook, `{"url":"https://hooks.example.com/in?token=x","headers":{"X-B":"1","Authorization":"y"}}`)
		m := publicMap(t, ch)
		if m["urlPreview"] != "https://hooks.example.com/…" || m["hasSecret"] != false {
			t.Errorf("public config = %s", ch.Config)
		}
		if names, _ := json.Marshal(m["headerNames"]); string(names) != `["Authorization","X-B"]` {
			t.Errorf("headerNames = %s", names)
		}
		ding, _ := newChannel(t, jobflow.ChannelDingTalk, `{"url":"https://oapi.dingtalk.com/robot/send?access_token=x","secret":"SEC1"}`)
		if m := publicMap(t, ding); m["hasSecret"] != true {
			t.Errorf("dingtalk public config = %s, want hasSecret true", ding.Config)
		}
	})

	t.Run("EmailDefaults", func(t *testing.T) {
		for _, c := range []struct {
			config   string
			port     int
			tlsMode  string
			password bool
		}{
			{`{"host":"smtp.example.com","from":"a@example.com","to":["b@example.com"]}`, 587, jobflow.SMTPTLSAuto, false},
			{`{"host":"smtp.example.com","port":465,"from":"a@example.com","to":["b@example.com"]}`, 465, jobflow.SMTPTLSImplicit, false},
			{`{"host":"smtp.example.com","tls":"implicit","username":"u","password":"p","from":"Ops <a@example.com>","to":["b@example.com"]}`, 465, jobflow.SMTPTLSImplicit, true},
			{`{"host":"127.0.0.1","port":25,"tls":"none","from":"a@example.com","to":["b@example.com","c@example.com"]}`, 25, jobflow.SMTPTLSNone, false},
		} {
			ch, sec := newChannel(t, jobflow.ChannelEmail, c.config)
			full, _ := ch.FullConfig(sec)
			if full.Port != c.port || full.TLS != c.tlsMode || (full.Password != "") != c.password {
				t.Errorf("%s: port %d tls %q password %v, want %d %q %v", c.config, full.Port, full.TLS, full.Password != "", c.port, c.tlsMode, c.password)
			}
			if m := publicMap(t, ch); m["hasPassword"] == true != c.password {
				t.Errorf("%s: public config %s", c.config, ch.Config)
			}
		}
	})

	t.Run("UpdateKeepsAbsentSecrets", func(t *testing.T) {
		ch, sec := newChannel(t, jobflow.ChannelDingTalk, `{"url":"https://oapi.dingtalk.com/robot/send?access_token=T1","secret":"S1"}`)
		// The client sends back what it got, plus a new name.
		name := "renamed"
		up, sec2, err := jobflow.AlarmChannelInput{Name: &name, Config: ch.Config}.Apply(ch, sec)
		if err != nil {
			t.Fatal(err)
		}
		if up.Name != "renamed" || sec2.URL != sec.URL || sec2.Secret != "S1" {
			t.Errorf("after a round trip: name %q secrets %+v, want the stored url and secret S1", up.Name, sec2)
		}
		// An explicit empty secret clears it.
		up, sec3, err := jobflow.AlarmChannelInput{Config: json.RawMessage(`{"secret":""}`)}.Apply(*up, sec2)
		if err != nil {
			t.Fatal(err)
		}
		if sec3.Secret != "" || sec3.URL != sec.URL || publicMap(t, *up)["hasSecret"] != false {
			t.Errorf("after clearing: secrets %+v, config %s", sec3, up.Config)
		}
		// A new type starts afresh: the old url is not carried over.
		wecom := jobflow.ChannelWeCom
		_, _, err = jobflow.AlarmChannelInput{Type: &wecom}.Apply(*up, sec3)
		if field := errField(err); field != "config.url" {
			t.Errorf("type change without url: err %v (field %q), want config.url", err, field)
		}
	})
}

func errField(err error) string {
	var e *jobflow.Error
	if !errors.As(err, &e) || e.Code != jobflow.EINVALID {
		return "(not INVALID)"
	}
	d, _ := e.Details.(map[string]string)
	return d["field"]
}

func TestAlarmChannelInput_Apply_Invalid(t *testing.T) {
	str := func(s string) *string { return &s }
	typ := func(s jobflow.AlarmChannelType) *jobflow.AlarmChannelType { return &s }
	const email = `"host":"smtp.example.com","from":"a@example.com","to":["b@example.com"]`
	cases := []struct {
		name  string
		in    jobflow.AlarmChannelInput
		field string
	}{
		{"NoName", jobflow.AlarmChannelInput{Type: typ("WEBHOOK"), Config: json.RawMessage(`{"url":"https://x.example"}`)}, "name"},
		{"BadType", jobflow.AlarmChannelInput{Name: str("a"), Type: typ("SLACK"), Config: json.RawMessage(`{"url":"https://x.example"}`)}, "type"},
		{"NoType", jobflow.AlarmChannelInput{Name: str("a")}, "type"},
		{"WebhookNoURL", jobflow.AlarmChannelInput{Name: str("a"), Type: typ("WEBHOOK"), Config: json.RawMessage(`{}`)}, "config.url"},
		{"WebhookFTP", jobflow.AlarmChannelInput{Name: str("a"), Type: typ("WEBHOOK"), Config: json.RawMessage(`{"url":"ftp://x.example/in"}`)}, "config.url"},
		{"WebhookRelative", jobflow.AlarmChannelInput{Name: str("a"), Type: typ("WEBHOOK"), Config: json.RawMessage(`{"url":"/in"}`)}, "config.url"},
		{"WebhookUserInURL", jobflow.AlarmChannelInput{Name: str("a"), Type: typ("WEBHOOK"), Config: json.RawMessage(`{"url":"https://u:p@x.example/in"}`)}, "config.url"},
		{"WebhookBadHeaderName", jobflow.AlarmChannelInput{Name: str("a"), Type: typ("WEBHOOK"), Config: json.RawMessage(`{"url":"https://x.example","headers":{"X Bad":"1"}}`)}, "config.headers"},
		{"WebhookHeaderInjection", jobflow.AlarmChannelInput{Name: str("a"), Type: typ("WEBHOOK"), Config: json.RawMessage(`{"url":"https://x.example","headers":{"X-A":"1\r\nX-B: 2"}}`)}, "config.headers"},
		{"WebhookSecret", jobflow.AlarmChannelInput{Name: str("a"), Type: typ("WEBHOOK"), Config: json.RawMessage(`{"url":"https://x.example","secret":"s"}`)}, "config.secret"},
		{"DingTalkHeaders", jobflow.AlarmChannelInput{Name: str("a"), Type: typ("DINGTALK"), Config: json.RawMessage(`{"url":"https://x.example","headers":{}}`)}, "config.headers"},
		{"DingTalkNoURL", jobflow.AlarmChannelInput{Name: str("a"), Type: typ("DINGTALK"), Config: json.RawMessage(`{"secret":"s"}`)}, "config.url"},
		{"FeishuHost", jobflow.AlarmChannelInput{Name: str("a"), Type: typ("FEISHU"), Config: json.RawMessage(`{"url":"https://x.example","host":"h"}`)}, "config.host"},
		{"WeComSecret", jobflow.AlarmChannelInput{Name: str("a"), Type: typ("WECOM"), Config: json.RawMessage(`{"url":"https://x.example","secret":"s"}`)}, "config.secret"},
		{"UnknownKey", jobflow.AlarmChannelInput{Name: str("a"), Type: typ("DINGTALK"), Config: json.RawMessage(`{"url":"https://x.example","secert":"s"}`)}, "config.secert"},
		{"WrongKind", jobflow.AlarmChannelInput{Name: str("a"), Type: typ("EMAIL"), Config: json.RawMessage(`{` + email + `,"port":"25"}`)}, "config.port"},
		{"NotAnObject", jobflow.AlarmChannelInput{Name: str("a"), Type: typ("WEBHOOK"), Config: json.RawMessage(`["https://x.example"]`)}, "config"},
		{"EmailNoHost", jobflow.AlarmChannelInput{Name: str("a"), Type: typ("EMAIL"), Config: json.RawMessage(`{"from":"a@example.com","to":["b@example.com"]}`)}, "config.host"},
		{"EmailHostWithPort", jobflow.AlarmChannelInput{Name: str("a"), Type: typ("EMAIL"), Config: json.RawMessage(`{"host":"smtp.example.com:25","from":"a@example.com","to":["b@example.com"]}`)}, "config.host"},
		{"EmailBadPort", jobflow.AlarmChannelInput{Name: str("a"), Type: typ("EMAIL"), Config: json.RawMessage(`{` + email + `,"port":70000}`)}, "config.port"},
		{"EmailBadTLS", jobflow.AlarmChannelInput{Name: str("a"), Type: typ("EMAIL"), Config: json.RawMessage(`{` + email + `,"tls":"ssl"}`)}, "config.tls"},
		{"EmailBadFrom", jobflow.AlarmChannelInput{Name: str("a"), Type: typ("EMAIL"), Config: json.RawMessage(`{"host":"h","from":"nobody","to":["b@example.com"]}`)}, "config.from"},
		{"EmailNoTo", jobflow.AlarmChannelInput{Name: str("a"), Type: typ("EMAIL"), Config: json.RawMessage(`{"host":"h","from":"a@example.com","to":[]}`)}, "config.to"},
		{"EmailBadTo", jobflow.AlarmChannelInput{Name: str("a"), Type: typ("EMAIL"), Config: json.RawMessage(`{"host":"h","from":"a@example.com","to":["b@example.com","not an address"]}`)}, "config.to"},
		{"EmailUserNoPassword", jobflow.AlarmChannelInput{Name: str("a"), Type: typ("EMAIL"), Config: json.RawMessage(`{` + email + `,"username":"u"}`)}, "config.password"},
		{"EmailURL", jobflow.AlarmChannelInput{Name: str("a"), Type: typ("EMAIL"), Config: json.RawMessage(`{` + email + `,"url":"https://x.example"}`)}, "config.url"},
		{"LongRemark", jobflow.AlarmChannelInput{Name: str("a"), Type: typ("WECOM"), Remark: str(strings.Repeat("长", 501)), Config: json.RawMessage(`{"url":"https://x.example"}`)}, "remark"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ch, _, err := c.in.Apply(jobflow.AlarmChannel{}, jobflow.AlarmSecrets{})
			if ch != nil {
				t.Errorf("Apply returned a channel %+v with the error", ch)
			}
			if got := errField(err); got != c.field {
				t.Errorf("Apply: err %v, field %q; want INVALID on %q", err, got, c.field)
			}
			if msg := jobflow.ErrorMessage(err); strings.Contains(msg, "alarmConfigInput") || strings.Contains(msg, "Go ") {
				t.Errorf("message %q leaks Go internals", msg)
			}
			if testing.Verbose() {
				t.Log(jobflow.ErrorMessage(err))
			}
		})
	}
}

func TestAlarmRecord_SetOutcome(t *testing.T) {
	var r jobflow.AlarmRecord
	r.SetOutcome(200, `{"errcode":0}`, nil)
	if r.Status != jobflow.AlarmSent || r.ResponseCode != 200 || r.Response != `{"errcode":0}` || r.Error != "" {
		t.Errorf("success: %+v", r)
	}
	long := strings.Repeat("错", 2000) // 6000 bytes
	r.SetOutcome(500, long, errors.New("POST https://x.example/…: HTTP 500"))
	if r.Status != jobflow.AlarmFailed || r.ResponseCode != 500 || r.Error != "POST https://x.example/…: HTTP 500" {
		t.Errorf("failure: status %q code %d error %q", r.Status, r.ResponseCode, r.Error)
	}
	if len(r.Response) != 4095 || r.Response != strings.Repeat("错", 1365) {
		t.Errorf("Response is %d bytes, want 4095 (1365 whole characters)", len(r.Response))
	}
}
