package triage

// slang maps chat shorthand and common misspellings to the word the model knows.
var slang = map[string]string{
	"u": "you", "ur": "your", "urs": "yours", "r": "are", "y": "why", "pls": "please",
	"plz": "please", "pleas": "please", "thx": "thanks", "thnx": "thanks", "ty": "thanks",
	"tks": "thanks", "cannot": "cant", "aint": "isnt", "wanna": "want",
	"gonna": "going", "gotta": "must", "cuz": "because", "bc": "because", "coz": "because",
	"ppl": "people", "msg": "message", "pkg": "package", "pkge": "package", "parcle": "parcel",
	"recieve": "receive", "recieved": "received", "adress": "address", "addres": "address",
	"refudn": "refund", "refnd": "refund", "ordr": "order", "oder": "order",
	"shippment": "shipment", "delivary": "delivery", "deliverd": "delivered", "arived": "arrived",
	"wat": "what", "wut": "what", "whats": "what", "wheres": "where", "hows": "how",
	"rn": "now", "tmrw": "tomorrow", "tmr": "tomorrow", "2day": "today",
	"acct": "account", "acc": "account", "pwd": "password", "pw": "password", "cs": "service",
	"cust": "customer", "mgr": "manager", "tho": "though",
	"cancle": "cancel", "exhange": "exchange",
	"reciept": "receipt", "invioce": "invoice", "coupn": "coupon", "discout": "discount",
}

// expandSlang returns the standard spelling of a word, or the word itself.
func expandSlang(w []byte) []byte {
	if s, ok := slang[string(w)]; ok {
		return []byte(s)
	}
	return w
}

// stem strips common English suffixes so "refunded", "refunds" and "refund" meet.
func stem(w []byte) []byte {
	n := len(w)
	stripped := false
	switch {
	case n > 5 && string(w[n-3:]) == "ing":
		w, stripped = w[:n-3], true
	case n > 4 && string(w[n-2:]) == "ed":
		w, stripped = w[:n-2], true
	case n > 4 && string(w[n-3:]) == "ies":
		w = append(w[:n-3:n-3], 'y')
	case n > 3 && w[n-1] == 's' && w[n-2] != 's' && w[n-2] != 'u' && w[n-2] != 'i':
		w = w[:n-1]
	}
	n = len(w)
	if stripped && n >= 5 && w[n-1] == w[n-2] && !vowel(w[n-1]) {
		w = w[:n-1] // "shipped" -> "ship", "cancelled" -> "cancel"
	}
	if n := len(w); n > 4 && w[n-1] == 'e' {
		w = w[:n-1] // "arrive" and "arrived" meet at "arriv"
	}
	return w
}

func vowel(b byte) bool { return b == 'a' || b == 'e' || b == 'i' || b == 'o' || b == 'u' }

// isEmoji reports pictographs and the common symbol blocks used as emoji.
func isEmoji(r rune) bool {
	return r >= 0x1F000 && r <= 0x1FAFF || r >= 0x2600 && r <= 0x27BF ||
		r == 0x2B50 || r == 0x2B55 || r == 0x203C || r == 0x2049 || r == 0x2764
}

// emojiGroup sorts an emoji into 0 other, 1 angry, 2 sad, 3 happy.
func emojiGroup(r rune) int {
	switch r {
	case '😡', '😠', '🤬', '😤', '💢', '👿', '🖕', '👊', '💩', '🙄', '😒', '🔥':
		return 1
	case '😭', '😢', '😞', '😔', '😩', '😫', '☹', '🙁', '😟', '😿', '💔', '😣', '😖', '😥', '😰', '😱':
		return 2
	case '😊', '😀', '😃', '😄', '😁', '😆', '🥰', '😍', '❤', '👍', '💯', '🎉', '🙂', '😘',
		'🤗', '✨', '👌', '💕', '💖', '🌹', '👏', '🥳', '😎', '🤩', '💗', '😻', '⭐', '🌟':
		return 3
	}
	return 0
}
