package alarms

import (
	"context"

	"jobflow"
)

// weComMaxText is the robot's limit on a text message, in bytes.
const weComMaxText = 2048

// sendWeCom posts a text message to a WeCom (企业微信) group robot. The
// robot has no signature: the key in its url is the credential. Success is
// errcode 0.
func (s *Sender) sendWeCom(ctx context.Context, cfg jobflow.AlarmConfig, msg Message) (Result, error) {
	body := map[string]any{
		"msgtype": "text",
		"text":    map[string]string{"content": clip(msg.Text, weComMaxText)},
	}
	res, raw, err := s.postJSON(ctx, cfg.URL, nil, body)
	return checkRobot("wecom", res, raw, err)
}
