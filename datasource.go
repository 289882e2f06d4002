package jobflow

import (
	"encoding/json"
	"time"
)

// DatasourceType is the database kind of a datasource.
type DatasourceType string

// Datasource types.
const (
	DatasourcePostgres DatasourceType = "POSTGRES"
	DatasourceMySQL    DatasourceType = "MYSQL"
)

// Datasource is a tenant's database connection for SQL jobs. The password is
// encrypted at rest and never leaves the service.
type Datasource struct {
	ID          string            `json:"id"`
	TenantID    string            `json:"tenantId"`
	Name        string            `json:"name"`
	Type        DatasourceType    `json:"type"`
	Host        string            `json:"host"`
	Port        int               `json:"port"`
	Database    string            `json:"database"`
	User        string            `json:"user"`
	Password    string            `json:"-"`
	HasPassword bool              `json:"hasPassword"`
	Options     map[string]string `json:"options"`
	Remark      string            `json:"remark"`
	CreatedAt   time.Time         `json:"createdAt"`
	UpdatedAt   time.Time         `json:"updatedAt"`
}

// DatasourceInput is the create/update body; it is the only place a password comes in.
type DatasourceInput struct {
	Name     *string            `json:"name"`
	Type     *DatasourceType    `json:"type"`
	Host     *string            `json:"host"`
	Port     *int               `json:"port"`
	Database *string            `json:"database"`
	User     *string            `json:"user"`
	Password *string            `json:"password"`
	Options  *map[string]string `json:"options"`
	Remark   *string            `json:"remark"`
}

// Apply applies in to a copy of d and validates the result.
func (in DatasourceInput) Apply(d Datasource) (*Datasource, error) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&d.Name, in.Name)
	set(&d.Host, in.Host)
	set(&d.Database, in.Database)
	set(&d.User, in.User)
	set(&d.Remark, in.Remark)
	if in.Password != nil {
		d.Password = *in.Password
	}
	if in.Type != nil {
		d.Type = *in.Type
	}
	if in.Port != nil {
		d.Port = *in.Port
	}
	if in.Options != nil {
		d.Options = *in.Options
	}
	if d.Options == nil {
		d.Options = map[string]string{}
	}
	if err := ValidateName("name", d.Name); err != nil {
		return nil, err
	}
	if err := ValidateRemark(d.Remark); err != nil {
		return nil, err
	}
	if d.Type != DatasourcePostgres && d.Type != DatasourceMySQL {
		return nil, InvalidField("type", "type must be POSTGRES or MYSQL")
	}
	if err := CheckDatasourceHost(d.Host); err != nil {
		return nil, err
	}
	if err := CheckDatasourceOptions(d.Type, d.Options); err != nil {
		return nil, err
	}
	if d.Port == 0 {
		d.Port = map[DatasourceType]int{DatasourcePostgres: 5432, DatasourceMySQL: 3306}[d.Type]
	}
	if d.Port < 1 || d.Port > 65535 {
		return nil, InvalidField("port", "port must be between 1 and 65535")
	}
	if d.Database == "" || len(d.Database) > 128 {
		return nil, InvalidField("database", "database is required (at most 128 characters)")
	}
	if d.User == "" || len(d.User) > 128 {
		return nil, InvalidField("user", "user is required (at most 128 characters)")
	}
	if len(d.Password) > 1024 {
		return nil, InvalidField("password", "password must be at most 1024 characters")
	}
	d.HasPassword = d.Password != ""
	return &d, nil
}

// MarshalOptions is json.Marshal of the options, for storage.
func (d *Datasource) MarshalOptions() []byte {
	b, _ := json.Marshal(d.Options)
	return b
}
