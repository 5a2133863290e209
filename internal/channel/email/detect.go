package email

import (
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// Charset detection for unlabelled or mislabelled CJK bytes.
//
// Each candidate decoder is run and its output scored by how much it looks
// like real text in the candidate's language: kana and frequent kanji for
// the Japanese decoders, frequent hanzi for the Chinese ones. Garbled
// decodings land on rare characters, half-width katakana, private-use code
// points or replacement characters, which score zero or below. The lists
// below are short on purpose: a few hundred of the most frequent characters
// already separate the candidates, without a statistical model.

// commonJa holds frequent kanji in Japanese text (beyond kana, which count
// on their own).
const commonJa = "日一国人年大十二本中長出三同時政事自行社見月分議後前民生連五発間対上部東者党地合市業内相方四定今回新場金員九入選立開手米力学問高代明実円関決子動京全目表戦経通外最言氏現理調体化田当八六約主題下首意法不来作性的要用制治度務強気小七成期公持野協取都和統以機平総加山思家話世受区領多県続進正安設保改数記院女初北午指権心界支第産結百派点教報済書府活原先共得解名交資予川向際査勝面委告軍文反元重近千考判認画海参売利組知案道信策集在件団別物側任引使求所次水半品昨論計死官増係感特情投示変打男基私各始島直両朝価式確村提運終挙果西勢減台広容必応演電歳住争談能無再位置企真流格有疑口過局少放税検町常校料沢裁状工建語球営空職証土与急止送援供可役構木割聞身費付施切由説転食比難防補車優夫研収断井何南石足違消境神番規術護展態導備宅害配副算視条幹独警宮究育席輸訪楽起万着乗店述残想線率病農州武声質念待試族象銀域助労例衛然早張映限親額監環験追審商葉義伝働形景落担好退準賞訴辺造英被株頭技低毎医復仕去姿味負閣渡失移差衆個門写評課末守若脳極種美岡影命含福蔵量望松非撃佐核観察整段横融型白深字答夜製票況音申様財港識注呼渉達良響阪帰針専推谷古候史天階程満敗管値歌買突兵接請器士光討路悪科攻崎督授催細効図週積丸他及湾録処省旧室憲太橋歩離岸客風紙激否周師摘材登系批郎母易健黒火戸速存花春飛殺央券赤号単盟座青破編捜竹除完降超責並療従右修捕隊危採織森競拡故館振給屋介読弁根色友苦就迎走販園具左異歴辞将秋因献厳馬愛幅休維富浜父遺彼般未塁貿講邦舞林装諸夏素亡劇河遣航抗冷模雄適婦鉄寄益込顔緊類児余禁印逆王返標換久短油妻暴輪占宣背昭廃植熱宿薬伊江清習険頼僚覚吉盛船倍均億途圧芸許皇臨踏駅署抜壊債便伸留罪停興爆陸玉源儀波創障継筋狙帯延羽努固闘精則葬乱避普散司康測豊洋静善逮婚厚喜齢囲卒迫略承浮惑崩順紀聴脱旅絶級幸岩練押軽倒了庁博城患締等救執層版老令角絡損房募曲撤裏払削密庭徒措仏績築貨志混載昇池陣我勤為血遅抑幕居染温雑招奈季困星傷永択秀著徴誌庫弾償刊像功拠香欠更秘拒刑坂刻底賛塚致抱繰服犯尾描布恐寺鈴盤息宇項喪伴遠養懸戻街巨震願絵希越契掲躍棄欲痛触邸依籍汚縮還枚属笑互複慮郵束仲栄札枠似夕恵板列露沖探逃借緩節需骨射傾届曜遊迷夢巻購揮君燃充雨閉緒跡包駐貢鹿弱却端賃折紹獲郡併草徹飲貴埼衝焦奪雇災浦暮替析預焼簡譲称肉納樹挑章臓律誘紛貸至宗促慎控贈智握照宜劣顧茶悩詰様々寄付領収書申込送付確認連絡頂願致御礼皆拝啓敬具宜弊貴殿伺承知"

// commonZh holds frequent hanzi in simplified and traditional Chinese text.
const commonZh = "的一是不了人我在有他这为之大来以个中上们到说国和地也子时道出而要于就下得可你年生自会那后能对着事其里所去行过家十用发天如然作方成者多日都三小军二无同么经法当起与好看学进种将还分此心前面又定见只主没公从已现样知由部理本长明其但因问从新教应开通三进动特日员体回第情问实两使最少表制党比各提区月正全东群边文话外义务关重位加电质意政路安解及合社向声几相点内结果利并门论工信很接放定原总才山物手名么必识机美战先设别处外建活老保改数系听把收据捐款志愿者活动感谢您请问谢谢希望帮助支持联系邮件附件收到发票退款组织服务客户投诉问题已经我们他们时候这个那个没有知道什么因为所以可能现在需要非常今天明天报名参加捐赠项目孩子学校医院社区环境保护基金会爱心公益慈善填写确认信息地址电话号码时间周末欢迎负责处理回复谢您的您好您请這個們來為說對們個們會於與後從還點過時關係現發學們間經開問題實際應該動請謝參與愛護捐贈義工報名確認聯絡郵件附檔收據發票退款組織服務客戶投訴處理回覆歡迎週末時間電話號碼地址資訊填寫謝謝您希望幫助支持感謝"

var (
	commonJaSet = runeSet(commonJa)
	commonZhSet = runeSet(commonZh)
)

func runeSet(s string) map[rune]bool {
	m := make(map[rune]bool, utf8.RuneCountInString(s))
	for _, r := range s {
		m[r] = true
	}
	return m
}

type detectCandidate struct {
	name string
	enc  encoding.Encoding
}

var cjkCandidates = []detectCandidate{
	{csShiftJIS, japanese.ShiftJIS},
	{csGB18030, simplifiedchinese.GB18030},
	{csEUCJP, japanese.EUCJP},
	{csBig5, traditionalchinese.Big5},
}

type textScore struct {
	total    float64
	nonASCII int
	bad      int // replacement characters and controls
}

func (s textScore) avg() float64 {
	if s.nonASCII == 0 {
		return 0
	}
	return s.total / float64(s.nonASCII)
}

// scoreText rates how much s looks like natural text. ja and zh select
// which frequent-character list rewards a character.
func scoreText(s string, ja, zh bool) textScore {
	var sc textScore
	for _, r := range s {
		if r < 0x80 {
			if r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != 0x1b {
				sc.total -= 3
				sc.bad++
			}
			continue
		}
		sc.nonASCII++
		switch {
		case r == utf8.RuneError:
			sc.total -= 5
			sc.bad++
		case r >= 0x3040 && r <= 0x30ff: // hiragana, katakana
			if ja {
				sc.total += 2
			} else if !zh {
				sc.total += 1
			}
		case r >= 0x4e00 && r <= 0x9fff:
			if (ja && commonJaSet[r]) || (zh && commonZhSet[r]) || (!ja && !zh && (commonJaSet[r] || commonZhSet[r])) {
				sc.total += 2
			}
		case r >= 0x3000 && r <= 0x303f, r >= 0xff01 && r <= 0xff5e: // CJK punctuation, full-width ASCII
			sc.total += 0.5
		case r >= 0xff61 && r <= 0xff9f: // half-width katakana: rare today, frequent in garble
			sc.total -= 1
		case r >= 0xe000 && r <= 0xf8ff, r >= 0xf0000:
			sc.total -= 3
		case r >= 0x3400 && r <= 0x4dbf, r >= 0x20000:
			sc.total -= 2
		case r >= 0x80 && r < 0xa0:
			sc.total -= 3
			sc.bad++
		case r >= 0xac00 && r <= 0xd7af:
			sc.total -= 1
		case r >= 0x2000 && r <= 0x206f, r == 0xa0, r >= 0x2460 && r <= 0x24ff, r >= 0x2190 && r <= 0x21ff,
			r >= 0x25a0 && r <= 0x25ff, r >= 0x2600 && r <= 0x26ff, r >= 0x3200 && r <= 0x33ff:
			// punctuation, arrows, shapes, circled numbers: neutral
		}
	}
	return sc
}

// detectCJK returns the CJK candidate whose decoding of b scores best,
// provided its average score per non-ASCII character reaches minAvg and
// almost nothing failed to decode.
func detectCJK(b []byte, minAvg float64) (name, text string, ok bool) {
	best := textScore{total: -1 << 30}
	for _, c := range cjkCandidates {
		s := decodeWith(c.enc, b)
		sc := scoreText(s, isJapanese(c.name), isChinese(c.name))
		if sc.total > best.total {
			best, name, text = sc, c.name, s
		}
	}
	if best.nonASCII == 0 || best.avg() < minAvg || best.bad*50 > best.nonASCII {
		return "", "", false
	}
	return name, text, true
}
