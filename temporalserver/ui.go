package temporalserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	"github.com/temporalio/ui-server/v2/server/server_options"
)

// webUI is the Temporal Web UI served from this process.
type webUI struct {
	srv  *uiserver.Server
	done chan struct{} // closed when the UI's Start returns
	url  string        // http://host:port, for links and health checks
}

// uiConfig is what startUI needs.
type uiConfig struct {
	addr      string // host:port; an empty host means every interface
	frontend  string // the frontend's host:port
	namespace string // opened first
	caPEM     []byte // verifies the frontend's certificate
	write     bool   // offer write actions
}

// startUI serves the Temporal Web UI on addr under UIPublicPath, talking
// to the frontend over TLS. The UI itself holds no credential: its API
// requests reach the frontend with whatever Authorization header they
// carry (grpc-gateway forwards it), so only requests through a proxy that
// adds the UI's key see any data.
func startUI(ctx context.Context, u uiConfig) (*webUI, error) {
	addr := u.addr
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("temporal UI address %q: %w", addr, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		return nil, fmt.Errorf("temporal UI address %q: bad port", addr)
	}
	// The UI server ends the process (log.Fatal) when it cannot bind, so
	// find out first and fail like any other start-up error. Port 0 is
	// resolved here, so the UI's URL is known.
	l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return nil, fmt.Errorf("temporal UI address %s: %w", addr, err)
	}
	port = l.Addr().(*net.TCPAddr).Port
	l.Close()

	cfg := &uiconfig.Config{
		TemporalGRPCAddress: u.frontend,
		TLS: uiconfig.TLS{
			CaData:                 b64(u.caPEM),
			ServerName:             serverName,
			EnableHostVerification: true,
		},
		Host:             host,
		Port:             port,
		PublicPath:       UIPublicPath,
		EnableUI:         true,
		DefaultNamespace: u.namespace,
		HideLogs:         true,
		DisableNewsFetch: true,
		// Hides terminate, reset, signal, start and schedule edits and
		// refuses their API calls (queries stay allowed); the frontend
		// refuses them too, the UI's key being a reader's.
		DisableWriteActions:  !u.write,
		BatchActionsDisabled: !u.write,
		// Served over plain HTTP on a private address: the CSRF cookie
		// must not demand HTTPS or the browser drops it.
		CORS: uiconfig.CORS{CookieInsecure: true},
	}
	ui := &webUI{
		srv:  uiserver.NewServer(server_options.WithConfigProvider(cfg)),
		done: make(chan struct{}),
	}
	urlHost := host
	if urlHost == "" || urlHost == "0.0.0.0" || urlHost == "::" {
		urlHost = loopback
	}
	ui.url = "http://" + net.JoinHostPort(urlHost, strconv.Itoa(port))
	go func() {
		defer close(ui.done)
		_ = ui.srv.Start()
	}()
	if err := ui.waitReady(ctx); err != nil {
		ui.stop()
		return nil, err
	}
	return ui, nil
}

// waitReady polls the UI's health route until it answers.
func (ui *webUI) waitReady(ctx context.Context) error {
	client := &http.Client{Timeout: time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ui.url+UIPublicPath+"/healthz", nil)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("temporal UI at %s did not come up: %w", ui.url, errors.Join(ctx.Err(), err))
		case <-ui.done:
			return fmt.Errorf("temporal UI at %s stopped while starting", ui.url)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (ui *webUI) stop() {
	ui.srv.Stop()
	select {
	case <-ui.done:
	case <-time.After(5 * time.Second):
	}
}
