package app

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is everything an operator sets, by flag or STEWARD_* environment
// variable (the flag wins). docs/configuration.md lists them all.
type Config struct {
	Addr            string
	DataDir         string
	DSN             string
	LogLevel        string
	LogFormat       string
	SecureCookies   bool
	ShutdownTimeout time.Duration
	// TrustedProxies may set the client address with X-Forwarded-For.
	TrustedProxies string
	EmailConfig
}

// StorageFlags registers the flags every database-touching command shares.
func (c *Config) StorageFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.DataDir, "data", env("STEWARD_DATA", "./steward-data"), "data directory: SQLite file and attachments (STEWARD_DATA)")
	fs.StringVar(&c.DSN, "db", env("STEWARD_DB", ""), "database: empty for SQLite in the data directory, or postgres://… (STEWARD_DB)")
	fs.StringVar(&c.LogLevel, "log-level", env("STEWARD_LOG_LEVEL", "info"), "debug, info, warn or error (STEWARD_LOG_LEVEL)")
	fs.StringVar(&c.LogFormat, "log-format", env("STEWARD_LOG_FORMAT", "text"), "text or json (STEWARD_LOG_FORMAT)")
	c.emailStorageFlags(fs)
}

// ServeFlags registers the flags of the serving commands.
func (c *Config) ServeFlags(fs *flag.FlagSet) {
	c.StorageFlags(fs)
	fs.StringVar(&c.Addr, "addr", env("STEWARD_ADDR", "127.0.0.1:8080"), "HTTP listen address (STEWARD_ADDR)")
	fs.BoolVar(&c.SecureCookies, "secure-cookies", envBool("STEWARD_SECURE_COOKIES", false), "mark cookies Secure; set when served over HTTPS (STEWARD_SECURE_COOKIES)")
	fs.StringVar(&c.TrustedProxies, "trusted-proxies", env("STEWARD_TRUSTED_PROXIES", ""), "comma-separated addresses/CIDRs of reverse proxies whose X-Forwarded-For is believed (STEWARD_TRUSTED_PROXIES)")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", envDuration("STEWARD_SHUTDOWN_TIMEOUT", 20*time.Second), "how long SIGTERM waits for in-flight work (STEWARD_SHUTDOWN_TIMEOUT)")
	c.emailServeFlags(fs)
}

func env(key, def string) string {
	if v, ok := os.LookupEnv(key); ok {
		return v
	}
	return def
}

func envBool(key string, def bool) bool {
	if v, ok := os.LookupEnv(key); ok {
		b, err := strconv.ParseBool(v)
		if err == nil {
			return b
		}
	}
	return def
}

func envDuration(key string, def time.Duration) time.Duration {
	if v, ok := os.LookupEnv(key); ok {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
	}
	return def
}

// Logger builds the process logger from the config.
func (c Config) Logger() (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(strings.ToUpper(c.LogLevel))); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch c.LogFormat {
	case "json":
		return slog.New(slog.NewJSONHandler(os.Stderr, opts)), nil
	case "text", "":
		return slog.New(slog.NewTextHandler(os.Stderr, opts)), nil
	}
	return nil, fmt.Errorf("--log-format must be text or json, not %q", c.LogFormat)
}
