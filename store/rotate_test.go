package store_test

import (
	"bytes"
	"testing"

	"jobflow"
	"jobflow/store"
	"jobflow/store/storetest"
)

// TestRotateKey: every secret moves to the new key in one go; the store on
// the old key then decrypts none, a store on the new key all; running the
// rotation again changes nothing; a bad new key changes nothing either.
func TestRotateKey(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			s, url := storetest.OpenURL(t, dialect)
			tn := mustTenant(t, s, "acme")
			d := newDatasource(tn.ID, "warehouse", "s3cret-pass")
			if err := s.CreateDatasource(ctx, d); err != nil {
				t.Fatal(err)
			}
			name, typ := "hook", jobflow.ChannelWebhook
			ch, err := s.CreateAlarmChannel(ctx, tn.ID, jobflow.AlarmChannelInput{Name: &name, Type: &typ,
				Config: []byte(`{"url":"https://example.com/hook?token=TOKEN-1"}`)})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.RotateKey(ctx, []byte("short")); err == nil {
				t.Fatal("a 5-byte key was accepted")
			}
			newKey := bytes.Repeat([]byte{7}, store.KeySize)
			n, err := s.RotateKey(ctx, newKey)
			if err != nil || n != 2 {
				t.Fatalf("RotateKey = %d, %v; want 2 secrets", n, err)
			}
			if _, err := s.FindDatasourceByID(ctx, tn.ID, d.ID); err == nil {
				t.Error("the old key still decrypts the datasource password")
			}
			s2, err := store.Open(ctx, url, newKey)
			if err != nil {
				t.Fatal(err)
			}
			defer s2.Close()
			got, err := s2.FindDatasourceByID(ctx, tn.ID, d.ID)
			if err != nil || got.Password != "s3cret-pass" {
				t.Fatalf("datasource on the new key = %+v, %v", got, err)
			}
			_, sec, err := s2.FindAlarmChannelSecrets(ctx, tn.ID, ch.ID)
			if err != nil || sec.URL != "https://example.com/hook?token=TOKEN-1" {
				t.Fatalf("channel secrets on the new key = %+v, %v", sec, err)
			}
			// Again (an interrupted run restarted): already rotated, skipped.
			if n, err := s.RotateKey(ctx, newKey); err != nil || n != 0 {
				t.Fatalf("second RotateKey = %d, %v; want 0", n, err)
			}
		})
	}
}
