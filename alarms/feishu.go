package alarms

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"time"

	"jobflow"
)

// feishuMaxText keeps a text message well under the bot's 20 KB body limit.
const feishuMaxText = 18000

// sendFeishu posts a text message to a Feishu (Lark) custom bot. With a
// secret (签名校验) the body carries timestamp (seconds) and sign. Success
// is code 0 (StatusCode 0 in older answers).
func (s *Sender) sendFeishu(ctx context.Context, cfg jobflow.AlarmConfig, msg Message) (Result, error) {
	body := map[string]any{
		"msg_type": "text",
		"content":  map[string]string{"text": clip(msg.Text, feishuMaxText)},
	}
	if cfg.Secret != "" {
		ts := time.Now().Unix()
		body["timestamp"] = strconv.FormatInt(ts, 10)
		body["sign"] = feishuSign(cfg.Secret, ts)
	}
	res, raw, err := s.postJSON(ctx, cfg.URL, nil, body)
	return checkRobot("feishu", res, raw, err)
}

// feishuSign is Feishu's signature: base64 of HMAC-SHA256 keyed with
// "TIMESTAMP_S\nSECRET" over an empty message (unlike DingTalk's).
func feishuSign(secret string, ts int64) string {
	mac := hmac.New(sha256.New, []byte(strconv.FormatInt(ts, 10)+"\n"+secret))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
