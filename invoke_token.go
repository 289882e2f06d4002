package jobflow

import "time"

// InvokeToken is an issued invoke token (外部调用), as kept by the store:
// everything but the token text, which is shown once at creation.
type InvokeToken struct {
	JTI        string     `json:"jti"`
	TenantID   string     `json:"tenantId"`
	WorkflowID string     `json:"workflowId"`
	ExpiresAt  time.Time  `json:"expiresAt"`
	CreatedAt  time.Time  `json:"createdAt"`
	CreatedBy  string     `json:"createdBy"`
	RevokedAt  *time.Time `json:"revokedAt"`
}
