package jobflow

// JobLimits — stand-in until the tenant fields land (deleted at that merge).
type JobLimits struct {
	MemoryMiB       int `json:"memoryMiB,omitempty"`
	Processes       int `json:"processes,omitempty"`
	CPUWeight       int `json:"cpuWeight,omitempty"`
	WorkDirMiB      int `json:"workDirMiB,omitempty"`
	LogKiBPerSecond int `json:"logKiBPerSecond,omitempty"`
}

// ValidateJobLimits checks limits' ranges; field prefixes the names in errors.
func ValidateJobLimits(field string, l JobLimits) error {
	for _, f := range []struct {
		name     string
		v, lo, hi int
	}{
		{"memoryMiB", l.MemoryMiB, 16, 1 << 20},
		{"processes", l.Processes, 8, 65536},
		{"cpuWeight", l.CPUWeight, 1, 10000},
		{"workDirMiB", l.WorkDirMiB, 1, 1 << 20},
		{"logKiBPerSecond", l.LogKiBPerSecond, 1, 1 << 20},
	} {
		if f.v != 0 && (f.v < f.lo || f.v > f.hi) {
			return invalidField(field+"."+f.name, "%s.%s must be between %d and %d", field, f.name, f.lo, f.hi)
		}
	}
	return nil
}
