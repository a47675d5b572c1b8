package main

// slotLists are the word lists behind plain slots, per language.
var slotLists = map[string]map[string][]string{
	"zh": {
		"product": {"连衣裙", "卫衣", "运动鞋", "蓝牙耳机", "手机壳", "空气炸锅", "面霜", "精华液", "双肩包", "牛仔裤",
			"保温杯", "破壁机", "口红", "瑜伽垫", "台灯", "猫粮", "咖啡机", "智能手表", "充电器", "T恤", "羽绒服",
			"防晒霜", "洗发水", "奶粉", "玩具车", "四件套", "香水", "扫地机器人", "电热水壶", "面膜", "零食大礼包",
			"行李箱", "羊毛衫", "婴儿车", "电动牙刷", "平板", "衣服", "鞋子", "裙子", "东西", "宝贝", "商品"},
		"days":    {"三天", "3天", "4天", "五天", "一周", "一个星期", "两周", "半个月", "10天", "好几天", "七天", "一个月"},
		"courier": {"顺丰", "中通", "圆通", "韵达", "申通", "京东快递", "邮政", "极兔", "德邦", "快递公司"},
		"size":    {"S", "M", "L", "XL", "XXL", "36", "37", "38", "39", "40", "42", "大号", "小号", "均码"},
		"color":   {"黑色", "白色", "红色", "蓝色", "粉色", "灰色", "卡其色", "米白色", "藏青色", "绿色"},
		"time":    {"昨天", "前天", "上周", "三天前", "上个月", "今天上午", "刚才"},
		"coupon":  {"满减券", "新人券", "店铺券", "优惠码", "直播间专属券", "五折券", "无门槛券", "优惠券", "红包"},
		"city":    {"上海", "北京", "广州", "深圳", "杭州", "成都", "武汉", "西安", "南京", "郑州", "乌鲁木齐", "我们这"},
	},
	"en": {
		"product": {"dress", "hoodie", "sneakers", "earbuds", "phone case", "air fryer", "face cream", "serum", "backpack",
			"jeans", "water bottle", "blender", "lipstick", "yoga mat", "desk lamp", "cat food", "coffee maker",
			"smartwatch", "charger", "t-shirt", "jacket", "sunscreen", "shampoo", "baby formula", "toy car", "bed sheets",
			"perfume", "robot vacuum", "kettle", "sheet masks", "snack box", "suitcase", "sweater", "stroller",
			"electric toothbrush", "tablet", "item", "stuff", "shoes", "order"},
		"days":    {"3 days", "5 days", "a week", "two weeks", "10 days", "over a week", "4 days", "nearly a month", "6 days"},
		"courier": {"UPS", "FedEx", "USPS", "DHL", "Royal Mail", "the courier", "Canada Post", "Evri", "the carrier"},
		"size":    {"S", "M", "L", "XL", "small", "medium", "large", "size 8", "size 10", "9.5", "38", "40"},
		"color":   {"black", "white", "navy", "red", "beige", "green", "pink", "grey", "blue"},
		"time":    {"yesterday", "last week", "3 days ago", "on monday", "last month", "this morning", "a few days ago"},
		"coupon":  {"WELCOME10", "SAVE20", "the 20% off code", "my coupon", "the promo code", "FREESHIP", "the discount code", "my voucher"},
		"city":    {"Chicago", "London", "Toronto", "Sydney", "Dallas", "Manchester", "Denver", "Seattle", "my city"},
	},
}
