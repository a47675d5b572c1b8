package main

import (
	"math"
	"math/rand/v2"
	"sort"
	"time"
)

// The simulated day of `deskpool bench pool-sim`: everything in it is
// drawn from one seeded generator, so a seed always gives the same brands,
// agents, shifts, arrivals and handle times.

// hourlyCurve is the share of a small online shop's daily messages in
// each hour (relative weights): quiet at night, a morning and an
// afternoon peak, the evening shopping peak highest.
var hourlyCurve = [24]float64{0.6, 0.3, 0.2, 0.1, 0.1, 0.2, 0.4, 0.8, 1.2, 1.6, 1.9, 1.9,
	1.5, 1.6, 1.8, 1.8, 1.7, 1.5, 1.4, 1.7, 2.2, 2.4, 1.9, 1.2}

// shift is a working period in seconds of the day, [From, To).
type shift struct{ From, To float64 }

func (s shift) on(at float64) bool {
	at = math.Mod(at, 86400)
	return at >= s.From && at < s.To
}

func hours(from, to float64) shift { return shift{From: from * 3600, To: to * 3600} }

// brandShifts are the shifts of a small brand's first, second and third
// agent: the owner-operator's office day, a late shift for the evening
// peak, a mid shift.
var brandShifts = []shift{hours(9, 18), hours(13, 22), hours(10, 19)}

// poolShifts are the shifts of the alliance's 10 shared agents: two at
// night, three early, five late (the evening and live-stream peaks).
var poolShifts = []shift{hours(0, 8), hours(0, 8), hours(8, 16), hours(8, 16), hours(8, 16),
	hours(14, 24), hours(14, 24), hours(15, 24), hours(16, 24), hours(16, 24)}

// simArrival is one customer's first message of the day.
type simArrival struct {
	Brand int
	At    float64 // seconds of the day
	Live  bool    // during the brand's live stream
	// Think and Handle are how long the agent who takes it needs to send
	// the first reply and then to resolve it (seconds).
	Think, Handle float64
}

// simBrand is one small brand of the day.
type simBrand struct {
	Agents     int
	Daily      int     // ordinary messages of the day
	LiveStart  float64 // its one live stream, an hour from here
	LiveExtras int     // extra messages during it
}

// simDay is the whole simulated day.
type simDay struct {
	Brands   []simBrand
	Arrivals []simArrival // in order of arrival
}

// newSimDay draws the day for brands brands from seed.
func newSimDay(seed uint64, brands int) simDay {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	var total float64
	for _, w := range hourlyCurve {
		total += w
	}
	var d simDay
	for b := range brands {
		sb := simBrand{Agents: 1 + rng.IntN(3), Daily: 40 + rng.IntN(81), LiveStart: float64(19+rng.IntN(3))*3600 + float64(rng.IntN(4))*900}
		sb.LiveExtras = sb.Daily / 4
		d.Brands = append(d.Brands, sb)
		for range sb.Daily {
			// The hour by the curve, the instant uniform within it.
			x, h := rng.Float64()*total, 0
			for h < 23 && x >= hourlyCurve[h] {
				x -= hourlyCurve[h]
				h++
			}
			d.Arrivals = append(d.Arrivals, arrival(rng, b, float64(h)*3600+rng.Float64()*3600, false))
		}
		for range sb.LiveExtras {
			// Most questions come in the stream's first half (the deals).
			at := sb.LiveStart + 3600*math.Pow(rng.Float64(), 1.6)
			d.Arrivals = append(d.Arrivals, arrival(rng, b, math.Min(at, 86399), true))
		}
	}
	sort.SliceStable(d.Arrivals, func(i, j int) bool { return d.Arrivals[i].At < d.Arrivals[j].At })
	return d
}

// arrival draws one message's think and handle times: log-normal, a
// first reply after a median of 45 s of reading (order lookup and the
// like), the conversation resolved after a median of 4 minutes more.
func arrival(rng *rand.Rand, brand int, at float64, live bool) simArrival {
	return simArrival{Brand: brand, At: at, Live: live,
		Think:  math.Min(45*math.Exp(0.5*rng.NormFloat64()), 600),
		Handle: math.Min(240*math.Exp(0.6*rng.NormFloat64()), 3600)}
}

// simClock maps the simulated day onto real time: speedup simulated
// seconds pass in each real second, from start.
type simClock struct {
	start   time.Time
	speedup float64
}

// now returns the simulated second of the day.
func (c simClock) now() float64 { return time.Since(c.start).Seconds() * c.speedup }

// real returns the real instant of the simulated second at.
func (c simClock) real(at float64) time.Time {
	return c.start.Add(time.Duration(at / c.speedup * float64(time.Second)))
}

// sim returns the simulated length of the real duration d.
func (c simClock) sim(d time.Duration) float64 { return d.Seconds() * c.speedup }
