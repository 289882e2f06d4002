package alarms

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"
	"time"

	"jobflow"
)

// dingTalkMaxText is the robot's limit on a text message, in bytes.
const dingTalkMaxText = 20000

// sendDingTalk posts a text message to a DingTalk group robot. With a
// secret (加签) the url gets &timestamp=MS&sign=SIGN. Success is errcode 0.
func (s *Sender) sendDingTalk(ctx context.Context, cfg jobflow.AlarmConfig, msg Message) (Result, error) {
	target := cfg.URL
	if cfg.Secret != "" {
		target = dingTalkSignedURL(cfg.URL, cfg.Secret, time.Now())
	}
	body := map[string]any{
		"msgtype": "text",
		"text":    map[string]string{"content": clip(msg.Text, dingTalkMaxText)},
	}
	res, raw, err := s.postJSON(ctx, target, nil, body)
	return checkRobot("dingtalk", res, raw, err)
}

// dingTalkSign is DingTalk's signature: base64 of HMAC-SHA256, keyed with
// the secret, over "TIMESTAMP_MS\nSECRET".
func dingTalkSign(secret string, ms int64) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(ms, 10) + "\n" + secret))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func dingTalkSignedURL(rawURL, secret string, now time.Time) string {
	ms := now.UnixMilli()
	sep := "?"
	if strings.Contains(rawURL, "?") {
		sep = "&"
	}
	return rawURL + sep + "timestamp=" + strconv.FormatInt(ms, 10) + "&sign=" + url.QueryEscape(dingTalkSign(secret, ms))
}
