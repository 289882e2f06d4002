package store

import (
	"bytes"
	"testing"
)

func TestCipher(t *testing.T) {
	key := bytes.Repeat([]byte{7}, KeySize)
	c, err := NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	a, err := c.EncryptString("hunter2")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := c.EncryptString("hunter2")
	if a == b || bytes.Contains([]byte(a), []byte("hunter2")) {
		t.Fatalf("ciphertexts %q and %q: want different and not holding the plaintext", a, b)
	}
	if got, err := c.DecryptString(a); err != nil || got != "hunter2" {
		t.Fatalf("DecryptString = %q, %v", got, err)
	}
	if got, _ := c.EncryptString(""); got != "" {
		t.Fatalf("empty plaintext stored as %q", got)
	}

	t.Run("ErrWrongKey", func(t *testing.T) {
		other, _ := NewCipher(bytes.Repeat([]byte{8}, KeySize))
		if _, err := other.DecryptString(a); err == nil {
			t.Fatal("decrypted with another key")
		}
	})
	t.Run("ErrTampered", func(t *testing.T) {
		raw := []byte(a)
		raw[len(raw)-3] ^= 1
		if _, err := c.DecryptString(string(raw)); err == nil {
			t.Fatal("decrypted a tampered value")
		}
	})
	t.Run("ErrNoKey", func(t *testing.T) {
		var none *Cipher
		if _, err := none.EncryptString("x"); err == nil {
			t.Fatal("encrypted without a key")
		}
	})
	t.Run("ErrKeySize", func(t *testing.T) {
		if _, err := NewCipher(key[:16]); err == nil {
			t.Fatal("accepted a 16-byte key")
		}
	})
}
