package tone

// Warmed is how many texts Warm scored that no hook has taken yet.
func Warmed() int { return warmed.Len() }
