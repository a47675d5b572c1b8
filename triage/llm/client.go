// Package llm is the optional LLM provider: any OpenAI-compatible
// chat-completions endpoint the operator configures. It triages messages
// the built-in classifier is unsure of and drafts replies for agents, with
// a timeout and a circuit breaker, falls back to the built-in classifier,
// meters every call per workspace, and is enabled per plan and workspace.
// What it returns is data, never a command: an intent label from the
// fixed list (the rules still decide who answers) or a draft an agent
// reviews before anything is sent.
package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/deskpool/deskpool/tenant"
	"github.com/sony/gobreaker/v2"
)

// Config is the operator's provider; an empty BaseURL means no provider.
type Config struct {
	BaseURL       string        // e.g. https://api.openai.com/v1 (the path /chat/completions is added)
	APIKey        string        // sent as a bearer token; never logged
	Model         string        // the model name
	Timeout       time.Duration // per call (default 5s)
	Plans         []string      // plans that include the provider; empty means every plan
	MaxFailures   int           // consecutive failures that open the circuit (default 5)
	OpenFor       time.Duration // how long an open circuit refuses calls (default 30s)
	LowConfidence float64       // built-in confidence below which triage asks the provider (default 0.5)
}

// Message is one chat message.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Usage is the provider's token count of one call.
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
}

type chatRequest struct {
	Model       string    `json:"model"`
	Messages    []Message `json:"messages"`
	Temperature float64   `json:"temperature"`
	MaxTokens   int       `json:"max_tokens,omitempty"`
}

type chatResponse struct {
	Choices []struct {
		Message      Message `json:"message"`
		FinishReason string  `json:"finish_reason"`
	} `json:"choices"`
	Usage Usage `json:"usage"`
	Error *struct {
		Message string `json:"message"`
	} `json:"error"`
}

// ErrUnavailable is returned when the provider is not configured or its circuit is open.
var ErrUnavailable = errors.New("llm: provider unavailable")

// Provider calls the chat-completions endpoint; it is safe for concurrent use.
type Provider struct {
	cfg     Config
	http    *http.Client
	breaker *gobreaker.CircuitBreaker[completion]
	tenants *tenant.Service // answers the plan; nil: read every time
}

// UseWorkspaceCache answers each workspace's plan (which may include the
// provider) through t, cached in step with t's change listener; call it
// while wiring. It does nothing on a nil provider.
func (p *Provider) UseWorkspaceCache(t *tenant.Service) {
	if p != nil {
		p.tenants = t
	}
}

// New returns the provider for cfg, or nil when cfg has no BaseURL.
func New(cfg Config) *Provider {
	if cfg.BaseURL == "" {
		return nil
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.MaxFailures <= 0 {
		cfg.MaxFailures = 5
	}
	if cfg.OpenFor <= 0 {
		cfg.OpenFor = 30 * time.Second
	}
	if cfg.LowConfidence <= 0 {
		cfg.LowConfidence = 0.5
	}
	return &Provider{cfg: cfg, http: &http.Client{Timeout: cfg.Timeout}, breaker: newBreaker(cfg.MaxFailures, cfg.OpenFor)}
}

// complete sends one chat completion and returns the first choice's content.
func (p *Provider) complete(ctx context.Context, msgs []Message, maxTokens int) (string, Usage, error) {
	if p == nil {
		return "", Usage{}, ErrUnavailable
	}
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	out, err := p.breaker.Execute(func() (completion, error) {
		content, usage, err := p.call(ctx, msgs, maxTokens)
		return completion{content, usage}, err
	})
	if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
		return "", Usage{}, ErrUnavailable
	}
	return out.content, out.usage, err
}

func (p *Provider) call(ctx context.Context, msgs []Message, maxTokens int) (string, Usage, error) {
	body, _ := json.Marshal(chatRequest{Model: p.cfg.Model, Messages: msgs, Temperature: 0, MaxTokens: maxTokens})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(p.cfg.BaseURL, "/")+"/chat/completions", bytes.NewReader(body))
	if err != nil {
		return "", Usage{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	if p.cfg.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+p.cfg.APIKey)
	}
	resp, err := p.http.Do(req)
	if err != nil {
		return "", Usage{}, fmt.Errorf("llm: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", Usage{}, fmt.Errorf("llm: %w", err)
	}
	var out chatResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		return "", Usage{}, fmt.Errorf("llm: status %d, unreadable body", resp.StatusCode)
	}
	if resp.StatusCode/100 != 2 {
		msg := ""
		if out.Error != nil {
			msg = out.Error.Message
		}
		return "", out.Usage, fmt.Errorf("llm: status %d: %.200s", resp.StatusCode, msg)
	}
	if len(out.Choices) == 0 {
		return "", out.Usage, errors.New("llm: no choices")
	}
	return out.Choices[0].Message.Content, out.Usage, nil
}
