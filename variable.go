package jobflow

import (
	"context"
	"time"
	"unicode/utf8"
)

// PrefixVariable starts a tenant variable's id.
const PrefixVariable = "var"

// MaxVariableBytes bounds a variable's value.
const MaxVariableBytes = 64 << 10

// Variable is a tenant variable (docs/run-semantics.md#tenant-variables-and-secrets): a plain one is ${global.NAME},
// a secret one ${{ secret.NAME }}. A secret's value is encrypted at rest
// and never returned (Value is empty, HasValue says one is stored); a
// variable cannot change between plain and secret, so a secret is never
// turned into a readable plain value.
type Variable struct {
	ID        string    `json:"id"`
	TenantID  string    `json:"-"`
	Name      string    `json:"name"`
	Value     string    `json:"value"`
	Secret    bool      `json:"secret"`
	HasValue  bool      `json:"hasValue"`
	Remark    string    `json:"remark"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	CreatedBy string    `json:"createdBy"`
	UpdatedBy string    `json:"updatedBy"`
}

// VariableInput is the body of POST and PATCH /variables; nil fields are
// left as they are on PATCH.
type VariableInput struct {
	Name   *string `json:"name"`
	Value  *string `json:"value"`
	Secret *bool   `json:"secret"`
	Remark *string `json:"remark"`
}

// Apply returns v with the input's fields set, validated. create says
// whether v is new (name and secret may be set only then).
func (in VariableInput) Apply(v Variable, create bool) (*Variable, error) {
	if in.Name != nil {
		if !create && *in.Name != v.Name {
			return nil, InvalidField("name", "a variable cannot be renamed; create another one")
		}
		v.Name = *in.Name
	}
	if !ValidParamName(v.Name) {
		return nil, InvalidField("name", "name must be letters, digits and '_' (at most 64, not starting with a digit)")
	}
	if in.Secret != nil {
		if !create && *in.Secret != v.Secret {
			return nil, InvalidField("secret", "a variable cannot change between plain and secret; delete it and create it again")
		}
		v.Secret = *in.Secret
	}
	if in.Value != nil {
		if len(*in.Value) > MaxVariableBytes {
			return nil, InvalidField("value", "value is longer than %d bytes", MaxVariableBytes)
		}
		if !utf8.ValidString(*in.Value) {
			return nil, InvalidField("value", "value must be UTF-8 text")
		}
		v.Value = *in.Value
	} else if create {
		return nil, InvalidField("value", "value is required")
	}
	if in.Remark != nil {
		v.Remark = *in.Remark
	}
	if err := ValidateRemark(v.Remark); err != nil {
		return nil, err
	}
	return &v, nil
}

// VariableService keeps tenant variables. Find and list leave secret
// values out; VariableValues is for the worker only.
type VariableService interface {
	CreateVariable(ctx context.Context, v *Variable) error // CONFLICT on a taken name
	FindVariable(ctx context.Context, tenantID, name string) (*Variable, error)
	FindVariables(ctx context.Context, tenantID string, p ListParams) ([]*Variable, int, error)
	// UpdateVariable applies in to the variable (a nil Value keeps a secret's value).
	UpdateVariable(ctx context.Context, tenantID, name string, in VariableInput, by string) (*Variable, error)
	DeleteVariable(ctx context.Context, tenantID, name string) error
	// VariableValues returns the tenant's plain values and secret values,
	// decrypted, by name.
	VariableValues(ctx context.Context, tenantID string) (plain, secret map[string]string, err error)
}
