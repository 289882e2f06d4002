package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
)

// Cipher encrypts secrets at rest (datasource and alarm channel passwords)
// with AES-256-GCM. Each value gets a random nonce; the stored text is
// base64(nonce | ciphertext+tag), so the same password never looks the same
// twice and a changed byte fails to decrypt.
type Cipher struct {
	aead cipher.AEAD
}

// KeySize is the length of an encryption key in bytes.
const KeySize = 32

// NewCipher makes a cipher from a 32-byte key.
func NewCipher(key []byte) (*Cipher, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("store: the encryption key must be %d bytes, got %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Cipher{aead: aead}, nil
}

var errNoKey = errors.New("store: no encryption key configured")

// EncryptString returns the stored form of plaintext; "" stays "".
func (c *Cipher) EncryptString(plaintext string) (string, error) {
	if plaintext == "" {
		return "", nil
	}
	if c == nil {
		return "", errNoKey
	}
	nonce := make([]byte, c.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	sealed := c.aead.Seal(nonce, nonce, []byte(plaintext), nil)
	return base64.StdEncoding.EncodeToString(sealed), nil
}

// DecryptString reverses EncryptString; "" stays "".
func (c *Cipher) DecryptString(stored string) (string, error) {
	if stored == "" {
		return "", nil
	}
	if c == nil {
		return "", errNoKey
	}
	raw, err := base64.StdEncoding.DecodeString(stored)
	if err != nil || len(raw) < c.aead.NonceSize() {
		return "", errors.New("store: a stored secret is malformed")
	}
	n := c.aead.NonceSize()
	plain, err := c.aead.Open(nil, raw[:n], raw[n:], nil)
	if err != nil {
		return "", errors.New("store: a stored secret does not decrypt with this key")
	}
	return string(plain), nil
}

// EncryptString encrypts with the store's key (see Cipher.EncryptString).
func (s *Store) EncryptString(plaintext string) (string, error) {
	return s.cipher.EncryptString(plaintext)
}

// DecryptString decrypts with the store's key (see Cipher.DecryptString).
func (s *Store) DecryptString(stored string) (string, error) {
	return s.cipher.DecryptString(stored)
}
