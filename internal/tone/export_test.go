package tone

// Warmed is how many texts Warm scored that no hook has taken yet.
func Warmed() int { return warmed.Len() }

// WarmedTaken is how many warmed scores the hook has used.
func WarmedTaken() int64 { return warmed.Taken() }

// TextScore is the text's part of Analyze.
func TextScore(text string) Result { return textScore(text) }

// Lexicon is the phrases and their weights.
func Lexicon() map[string]int { return lexicon }
