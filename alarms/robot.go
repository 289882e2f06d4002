package alarms

import (
	"encoding/json"
	"fmt"

	"jobflow"
)

// robotAnswer is the JSON answer of the three group robots: DingTalk and
// WeCom say errcode/errmsg, Feishu says code/msg (StatusCode/StatusMessage
// in its older answers).
type robotAnswer struct {
	ErrCode       *int   `json:"errcode"`
	ErrMsg        string `json:"errmsg"`
	Code          *int   `json:"code"`
	Msg           string `json:"msg"`
	StatusCode    *int   `json:"StatusCode"`
	StatusMessage string `json:"StatusMessage"`
}

// checkRobot turns a robot's answer into an error unless it says success
// (code 0). A robot's own error message wins over a bare HTTP status.
func checkRobot(name string, res Result, raw []byte, err error) (Result, error) {
	var a robotAnswer
	if raw == nil || json.Unmarshal(raw, &a) != nil {
		if err != nil {
			return res, err
		}
		return res, fmt.Errorf("%s: the answer is not the robot's JSON (HTTP %d)", name, res.Code)
	}
	code, msg := a.ErrCode, a.ErrMsg
	if code == nil {
		code, msg = a.Code, a.Msg
	}
	if code == nil {
		code, msg = a.StatusCode, a.StatusMessage
	}
	switch {
	case code != nil && *code != 0:
		return res, fmt.Errorf("%s: error %d: %s", name, *code, msg)
	case err != nil:
		return res, err
	case code == nil:
		return res, fmt.Errorf("%s: the answer holds no result code (HTTP %d)", name, res.Code)
	}
	return res, nil
}

// clip cuts a robot's text to max bytes, marking the cut with "…".
func clip(text string, max int) string {
	if len(text) <= max {
		return text
	}
	return jobflow.TruncateUTF8(text, max-len("…")) + "…"
}
