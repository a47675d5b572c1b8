package api

import (
	"slices"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// routeMethods lists, for each registered path pattern, the methods it
// answers; built once, on the first 405.
type routeMethods struct {
	once   sync.Once
	routes []routeEntry
}

type routeEntry struct {
	segments []string // ":name" matches any one segment
	methods  []string
}

// allowed returns the Allow header for path: the methods of every route
// whose pattern matches it.
func (s *Server) allowed(path string) string {
	s.methods.once.Do(func() {
		byPath := map[string]*routeEntry{}
		for _, r := range s.app.GetRoutes(true) {
			e := byPath[r.Path]
			if e == nil {
				e = &routeEntry{segments: strings.Split(strings.Trim(r.Path, "/"), "/")}
				byPath[r.Path] = e
			}
			if !slices.Contains(e.methods, r.Method) {
				e.methods = append(e.methods, r.Method)
			}
		}
		for _, e := range byPath {
			s.methods.routes = append(s.methods.routes, *e)
		}
	})
	segs := strings.Split(strings.Trim(path, "/"), "/")
	var out []string
	for _, e := range s.methods.routes {
		if matchSegments(e.segments, segs) {
			for _, m := range e.methods {
				if !slices.Contains(out, m) {
					out = append(out, m)
				}
			}
		}
	}
	if slices.Contains(out, fiber.MethodGet) && !slices.Contains(out, fiber.MethodHead) {
		out = append(out, fiber.MethodHead)
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}

func matchSegments(pattern, path []string) bool {
	if len(pattern) != len(path) {
		return false
	}
	for i, p := range pattern {
		if strings.HasPrefix(p, ":") {
			if path[i] == "" {
				return false
			}
		} else if !strings.EqualFold(p, path[i]) {
			return false
		}
	}
	return true
}

// refuseUnknownMethods answers a method HTTP does not define (fiber answers
// it with a plain-text 400 before any middleware) as any method the path
// does not answer: a 405 problem with Allow.
func (s *Server) refuseUnknownMethods() {
	srv := s.app.Server()
	next := srv.Handler
	srv.Handler = func(fctx *fasthttp.RequestCtx) {
		if slices.Contains(fiber.DefaultMethods, string(fctx.Method())) {
			next(fctx)
			return
		}
		c := s.app.AcquireCtx(fctx)
		defer s.app.ReleaseCtx(c)
		_ = s.handleError(c, fiber.ErrMethodNotAllowed)
	}
}
