package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// encryptedColumns are every column that holds Cipher output.
var encryptedColumns = []struct{ table, column string }{
	{"datasources", "password_enc"},
	{"alarm_channels", "secrets_enc"},
	{"variables", "value_enc"},
}

// RotateKey re-encrypts every stored secret from the store's key to
// newKey, in one transaction: either all secrets move to the new key or
// none does. A secret that already decrypts with the new key is left as it
// is, so running the rotation again after an interruption is safe. It
// returns how many secrets were re-encrypted.
func (s *Store) RotateKey(ctx context.Context, newKey []byte) (int, error) {
	if s.cipher == nil {
		return 0, errNoKey
	}
	next, err := NewCipher(newKey)
	if err != nil {
		return 0, err
	}
	n := 0
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		for _, c := range encryptedColumns {
			var rows []struct {
				ID  string `db:"id"`
				Enc string `db:"enc"`
			}
			q := fmt.Sprintf(`SELECT id, %s AS enc FROM %s WHERE %s <> ''`, c.column, c.table, c.column)
			if err := tx.SelectContext(ctx, &rows, q); err != nil {
				return err
			}
			for _, r := range rows {
				plain, err := s.cipher.DecryptString(r.Enc)
				if err != nil {
					if _, err2 := next.DecryptString(r.Enc); err2 == nil {
						continue // rotated by an earlier, interrupted run
					}
					return fmt.Errorf("%s %s: %w", c.table, r.ID, err)
				}
				enc, err := next.EncryptString(plain)
				if err != nil {
					return err
				}
				upd := tx.Rebind(fmt.Sprintf(`UPDATE %s SET %s = ? WHERE id = ?`, c.table, c.column))
				if _, err := tx.ExecContext(ctx, upd, enc, r.ID); err != nil {
					return err
				}
				n++
			}
		}
		return nil
	})
	return n, err
}
