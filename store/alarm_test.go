package store_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"jobflow"
	"jobflow/store"
	"jobflow/store/storetest"
)

func webhookInput(name, url string) jobflow.AlarmChannelInput {
	typ := jobflow.ChannelWebhook
	cfg, _ := json.Marshal(map[string]any{"url": url, "headers": map[string]string{"X-Token": "hdr-secret"}})
	return jobflow.AlarmChannelInput{Name: &name, Type: &typ, Config: cfg}
}

func TestAlarmChannelService_Create(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		ch, err := s.CreateAlarmChannel(ctx, tn.ID, webhookInput("ops", "https://hooks.example.com/T0K3N"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(ch.ID, "ch_") || ch.TenantID != tn.ID || ch.Type != jobflow.ChannelWebhook {
			t.Fatalf("created = %+v", ch)
		}
		if strings.Contains(string(ch.Config), "T0K3N") || strings.Contains(string(ch.Config), "hdr-secret") {
			t.Fatalf("public config leaks a secret: %s", ch.Config)
		}
		// The column holds ciphertext only.
		raw := store.StoredAlarmSecrets(t, s, ch.ID)
		if raw == "" || strings.Contains(raw, "T0K3N") || strings.Contains(raw, "hdr-secret") {
			t.Fatalf("secrets column = %q", raw)
		}
		got, sec, err := s.FindAlarmChannelSecrets(ctx, tn.ID, ch.ID)
		if err != nil {
			t.Fatal(err)
		}
		if sec.URL != "https://hooks.example.com/T0K3N" || sec.Headers["X-Token"] != "hdr-secret" || got.Name != "ops" {
			t.Fatalf("FindAlarmChannelSecrets = %+v, %+v", got, sec)
		}
		list, total, err := s.FindAlarmChannels(ctx, tn.ID, jobflow.ListParams{})
		if err != nil || total != 1 || len(list) != 1 || list[0].ID != ch.ID {
			t.Fatalf("FindAlarmChannels = %v, %d, %v", list, total, err)
		}

		t.Run("ErrNameTaken", func(t *testing.T) {
			_, err := s.CreateAlarmChannel(ctx, tn.ID, webhookInput("ops", "https://x.example.com/"))
			wantCode(t, err, jobflow.ECONFLICT)
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			_, err := s.CreateAlarmChannel(ctx, tn.ID, webhookInput("bad", "ftp://x"))
			wantCode(t, err, jobflow.EINVALID)
			_, err = s.CreateAlarmChannel(ctx, tn.ID, jobflow.AlarmChannelInput{Name: ptr("no type")})
			wantCode(t, err, jobflow.EINVALID)
			_, total, _ := s.FindAlarmChannels(ctx, tn.ID, jobflow.ListParams{})
			if total != 1 {
				t.Fatalf("a refused create left %d channels", total)
			}
		})
		t.Run("OtherTenantNotFound", func(t *testing.T) {
			other := mustTenant(t, s, "other")
			_, err := s.FindAlarmChannelByID(ctx, other.ID, ch.ID)
			wantCode(t, err, jobflow.ENOTFOUND)
			wantCode(t, s.DeleteAlarmChannel(ctx, other.ID, ch.ID), jobflow.ENOTFOUND)
		})
	})
}

func TestAlarmChannelService_Update(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		ch, err := s.CreateAlarmChannel(ctx, tn.ID, webhookInput("ops", "https://hooks.example.com/T0K3N"))
		if err != nil {
			t.Fatal(err)
		}
		// A config without url keeps the stored url and headers.
		upd, err := s.UpdateAlarmChannel(ctx, tn.ID, ch.ID, jobflow.AlarmChannelInput{Name: ptr("ops2"), Config: json.RawMessage(`{}`)})
		if err != nil {
			t.Fatal(err)
		}
		_, sec, err := s.FindAlarmChannelSecrets(ctx, tn.ID, ch.ID)
		if err != nil || upd.Name != "ops2" || sec.URL != "https://hooks.example.com/T0K3N" || sec.Headers["X-Token"] != "hdr-secret" {
			t.Fatalf("after update: %+v %+v %v", upd, sec, err)
		}
		// A new url replaces it.
		if _, err := s.UpdateAlarmChannel(ctx, tn.ID, ch.ID, jobflow.AlarmChannelInput{Config: json.RawMessage(`{"url":"https://new.example.com/x"}`)}); err != nil {
			t.Fatal(err)
		}
		if _, sec, _ = s.FindAlarmChannelSecrets(ctx, tn.ID, ch.ID); sec.URL != "https://new.example.com/x" {
			t.Fatalf("url = %q", sec.URL)
		}
		t.Run("ErrInvalidChangesNothing", func(t *testing.T) {
			_, err := s.UpdateAlarmChannel(ctx, tn.ID, ch.ID, jobflow.AlarmChannelInput{Config: json.RawMessage(`{"url":"nope"}`)})
			wantCode(t, err, jobflow.EINVALID)
			if _, sec, _ := s.FindAlarmChannelSecrets(ctx, tn.ID, ch.ID); sec.URL != "https://new.example.com/x" {
				t.Fatalf("url changed to %q", sec.URL)
			}
		})
		t.Run("Delete", func(t *testing.T) {
			if err := s.DeleteAlarmChannel(ctx, tn.ID, ch.ID); err != nil {
				t.Fatal(err)
			}
			_, err := s.FindAlarmChannelByID(ctx, tn.ID, ch.ID)
			wantCode(t, err, jobflow.ENOTFOUND)
		})
	})
}

func TestAlarmRecordService(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		base := time.Now().UTC().Add(-time.Minute)
		for i, ev := range []jobflow.AlarmEvent{jobflow.EventRunStart, jobflow.EventRunEnd, jobflow.EventRunFail} {
			r := &jobflow.AlarmRecord{TenantID: tn.ID, RunID: "run_a", ChannelID: "ch_x", Event: ev, Attempt: 1,
				CreatedAt: base.Add(time.Duration(i) * time.Second)}
			r.SetOutcome(200, "ok", nil)
			if err := s.CreateAlarmRecord(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		failed := &jobflow.AlarmRecord{ID: "ar_fixed", TenantID: tn.ID, RunID: "run_b", Event: jobflow.EventRunStart, Attempt: 2}
		failed.SetOutcome(500, strings.Repeat("x", 5000), errFake("HTTP 500"))
		if err := s.CreateAlarmRecord(ctx, failed); err != nil {
			t.Fatal(err)
		}
		// The same id again (a retried activity) is written once.
		if err := s.CreateAlarmRecord(ctx, failed); err != nil {
			t.Fatal(err)
		}
		recs, total, err := s.FindAlarmRecords(ctx, tn.ID, "run_a", jobflow.ListParams{})
		if err != nil || total != 3 {
			t.Fatalf("FindAlarmRecords(run_a) = %d, %v", total, err)
		}
		if recs[0].Event != jobflow.EventRunStart || recs[2].Event != jobflow.EventRunFail || recs[0].Status != jobflow.AlarmSent {
			t.Fatalf("records out of order: %+v", recs)
		}
		recs, total, err = s.FindAlarmRecords(ctx, tn.ID, "", jobflow.ListParams{})
		if err != nil || total != 4 {
			t.Fatalf("FindAlarmRecords(all) = %d, %v", total, err)
		}
		last := recs[3]
		if last.Status != jobflow.AlarmFailed || last.ResponseCode != 500 || last.Attempt != 2 || len(last.Response) != jobflow.MaxAlarmResponse || last.Error != "HTTP 500" {
			t.Fatalf("failed record = %+v", last)
		}
		other := mustTenant(t, s, "other")
		if _, total, _ := s.FindAlarmRecords(ctx, other.ID, "", jobflow.ListParams{}); total != 0 {
			t.Fatalf("other tenant sees %d records", total)
		}
		t.Run("ErrInvalid", func(t *testing.T) {
			wantCode(t, s.CreateAlarmRecord(ctx, &jobflow.AlarmRecord{TenantID: tn.ID, Event: jobflow.EventRunEnd}), jobflow.EINVALID)
		})
	})
}

type errFake string

func (e errFake) Error() string { return string(e) }

// An alarm counts as sent per (run, event, job, channel, repeat): a
// repeat of a lasting alarm is not taken for its first send.
func TestAlarmAlreadySent_PerRepeat(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		rec := &jobflow.AlarmRecord{TenantID: tn.ID, RunID: "run1", ChannelID: "ch", JobID: "a", Event: jobflow.EventJobTimeout, Status: jobflow.AlarmSent}
		if err := s.CreateAlarmRecord(ctx, rec); err != nil {
			t.Fatal(err)
		}
		for repeat, want := range map[int]bool{0: true, 1: false} {
			got, err := s.AlarmAlreadySent(ctx, tn.ID, "run1", jobflow.EventJobTimeout, "a", "ch", repeat)
			if err != nil || got != want {
				t.Fatalf("repeat %d: sent %v (%v), want %v", repeat, got, err, want)
			}
		}
		rec2 := &jobflow.AlarmRecord{TenantID: tn.ID, RunID: "run1", ChannelID: "ch", JobID: "a", Event: jobflow.EventJobTimeout, Status: jobflow.AlarmSent, Repeat: 1}
		if err := s.CreateAlarmRecord(ctx, rec2); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.AlarmAlreadySent(ctx, tn.ID, "run1", jobflow.EventJobTimeout, "a", "ch", 1); !got {
			t.Fatal("repeat 1 recorded but not seen as sent")
		}
		recs, _, err := s.FindAlarmRecords(ctx, tn.ID, "run1", jobflow.ListParams{})
		if err != nil || len(recs) != 2 || recs[1].Repeat != 1 {
			t.Fatalf("records %+v %v", recs, err)
		}
	})
}
