package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// gen fills templates for one language.
type gen struct {
	rng  *rand.Rand
	lang string
}

// expand resolves {a|b|} alternatives and {slot} names, nested or not.
func (g *gen) expand(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '{' {
			b.WriteByte(s[i])
			continue
		}
		depth, end := 0, -1
		for j := i; j < len(s); j++ {
			if s[j] == '{' {
				depth++
			} else if s[j] == '}' {
				depth--
				if depth == 0 {
					end = j
					break
				}
			}
		}
		if end < 0 {
			b.WriteString(s[i:])
			break
		}
		inner := s[i+1 : end]
		alts := splitTop(inner)
		if len(alts) == 1 {
			if fill, ok := g.slot(inner); ok {
				b.WriteString(fill)
			} else {
				b.WriteString(g.expand(inner))
			}
		} else {
			b.WriteString(g.expand(alts[g.rng.IntN(len(alts))]))
		}
		i = end
	}
	return b.String()
}

// splitTop splits on '|' outside nested braces.
func splitTop(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			depth--
		case '|':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

func (g *gen) pick(list []string) string { return list[g.rng.IntN(len(list))] }

func (g *gen) digits(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteByte(byte('0' + g.rng.IntN(10)))
	}
	return b.String()
}

// slot fills a named slot; ok is false for names that are not slots.
func (g *gen) slot(name string) (string, bool) {
	zh := g.lang == "zh"
	switch name {
	case "order":
		switch g.rng.IntN(5) {
		case 0:
			return "#" + g.digits(6+g.rng.IntN(3)), true
		case 1:
			return g.pick([]string{"DP", "SO", "E"}) + "2024" + g.digits(8), true
		default:
			return fmt.Sprint(1+g.rng.IntN(9)) + g.digits(11+g.rng.IntN(7)), true
		}
	case "trk":
		switch g.rng.IntN(4) {
		case 0:
			return "SF" + g.digits(13), true
		case 1:
			return g.pick([]string{"YT", "JT", "JD00"}) + g.digits(13), true
		case 2:
			return "1Z" + strings.ToUpper(g.digits(4)) + "A" + g.digits(11), true
		default:
			return g.pick([]string{"LX", "RR", "UA"}) + g.digits(9) + g.pick([]string{"CN", "US", "GB"}), true
		}
	case "phone":
		if zh {
			return "1" + g.pick([]string{"3", "5", "7", "8", "9"}) + g.digits(9), true
		}
		return g.pick([]string{"+1 415 555 " + g.digits(4), g.digits(3) + "-555-" + g.digits(4), "+44 7700 900" + g.digits(3)}), true
	case "email":
		return g.pick([]string{"lily", "jane.doe", "wang.lei", "tom88", "xiaomei", "sam_k"}) + "@" +
			g.pick([]string{"qq.com", "163.com", "gmail.com", "outlook.com", "yahoo.com"}), true
	case "n":
		if zh {
			return g.pick([]string{"2", "3", "4", "5", "两", "三", "几"}), true
		}
		return g.pick([]string{"2", "3", "4", "5", "two", "three", "several"}), true
	case "amount":
		n := []int{19, 39, 59, 88, 99, 129, 199, 259, 299, 399, 599, 1299}[g.rng.IntN(12)]
		if zh {
			return g.pick([]string{fmt.Sprintf("%d元", n), fmt.Sprintf("¥%d", n), fmt.Sprintf("%d块", n), fmt.Sprintf("%d块钱", n)}), true
		}
		return g.pick([]string{fmt.Sprintf("$%d", n), fmt.Sprintf("$%d.99", n), fmt.Sprintf("%d dollars", n), fmt.Sprintf("€%d", n), fmt.Sprintf("£%d", n)}), true
	case "neg":
		return g.pick([]string{"😡", "😠", "🤬", "😤", "💢", "😡😡", "🤬🤬🤬"}), true
	case "sad":
		return g.pick([]string{"😭", "😢", "😞", "😔", "😩", "", ""}), true
	case "pos":
		return g.pick([]string{"😊", "👍", "❤️", "🥰", "😄", "🎉", "👍👍", "💯", ""}), true
	case "emo":
		return g.pick([]string{"🙏", "😅", "🤔", "😊", "😂", "", "", "", ""}), true
	}
	if list, ok := slotLists[g.lang][name]; ok {
		return g.pick(list), true
	}
	return "", false
}
