package main

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestClientMode(t *testing.T) {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/readyz" {
			http.NotFound(w, r)
		}
	}))
	defer server.Close()

	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"probe", server.URL + "/readyz"}, 0},
		{[]string{"probe", server.URL + "/missing"}, 1},
		{[]string{"traffic", server.URL + "/readyz", "0.2", "10"}, 0},
		{[]string{"traffic", server.URL + "/missing", "0.2", "10"}, 1},
		{[]string{"traffic", server.URL, "soon", "10"}, 2},
		{[]string{"probe"}, 2},
		{[]string{"serve"}, 2},
	} {
		if code := run(c.args); code != c.code {
			t.Errorf("service %v: exit %d, want %d", c.args, code, c.code)
		}
	}
}

func TestInvalidConfiguration(t *testing.T) {
	t.Setenv("DRAIN_SECONDS", "five")
	if code := run(nil); code != 1 {
		t.Errorf("DRAIN_SECONDS=five: exit %d, want 1", code)
	}
}
