// Package search is Steward's text analysis and query language: the pure
// part of search, shared by the SQLite (FTS5) and PostgreSQL engines, which
// store and match the terms produced here.
//
// # Why one analyzer in Go
//
// Neither engine can find the two-character words that most Chinese and
// Japanese searches are made of: FTS5's unicode61 tokenizer keeps a whole CJK
// run as one token (領収書 inside a sentence is never found), its trigram
// tokenizer cannot match a query shorter than three characters (收据, 寄付),
// and PostgreSQL's parsers have the same blind spots. So Steward analyses
// text itself, once, in Go, and gives the engines ready-made terms: the
// index stores Analyze(text) and a query asks for AnalyzeQuery(word). Both
// run the same code, so what a document contains and what a query asks for
// can never disagree.
//
// # Folding
//
// Before terms are cut, text is folded so that spellings a person considers
// the same produce the same terms:
//
//   - Unicode NFKC: full-width ＡＢＣ１２３ and half-width ｶﾀｶﾅ become abc123
//     and カタカナ (ﾎﾞ becomes ボ), compatibility ideographs and circled
//     numbers their plain forms, IME punctuation ASCII.
//   - Case folding, and diacritics folding for Latin letters only (café →
//     cafe, straße → strasse); kana keep their dakuten and other scripts their
//     marks.
//   - Traditional Chinese characters fold to simplified (收據 → 收据, 學校 →
//     学校) with OpenCC's character table, one character at a time, so that
//     the result never depends on context. Japanese kanji that are not
//     traditional Chinese forms (収, 付, 込, 払, 気) are not in the table and
//     stay as they are; the few that are (領 → 领) fold identically in
//     documents and queries, so 領収書 still finds 領収書.
//
// # Terms
//
// The folded text is cut into:
//
//   - CJK runs (Han, Hiragana, Katakana with ー, Hangul): every overlapping
//     bigram, then the run's last character alone. 寄付金の領収書 gives 寄付
//     付金 金の の领 领収 収书 书; a one-character run gives that character.
//   - Words: maximal runs of letters and digits of other scripts, cut at 64
//     bytes. #1042 gives 1042; taro.yamada gives taro yamada.
//   - E-mail addresses: their parts as words, then the whole address.
//   - Phone numbers (9–15 digits in groups, or with '+', or a 10–11 digit
//     national number): the groups as words, then all digits joined, then the
//     significant number without country code and trunk zero; +81 3-1234-5678
//     gives 81 3 1234 5678 81312345678 312345678.
//
// Terms keep their order and duplicates, so positions support phrase queries
// and BM25. A term is lower-cased letters, numbers and marks (plus . _ % + -
// @ in e-mail terms): no spaces, quotes or query syntax. Stored space-joined
// in FTS5, the tokenizer
//
//	unicode61 remove_diacritics 0 categories 'L* N* Co M*' tokenchars '@._%+-'
//
// returns exactly these terms (the fts5size test checks it). For PostgreSQL,
// a tsvector with positions can be built from 'term':position pairs without
// escaping (terms hold no quote, backslash or space; the longest is 254
// bytes, far below the lexeme limit), and the terms fit a text[] as they
// are.
//
// # Why bigrams, and how recall is guaranteed
//
// Bigrams need no dictionary, work the same for Chinese, Japanese and
// Korean, and match any substring: a query of n ≥ 2 CJK characters becomes
// its n−1 bigrams, which occur adjacent and in order in every document that
// contains the string, wherever it sits in a run. A one-character query
// cannot be a bigram; it becomes a prefix query (FTS5 "收"*, PostgreSQL
// '收':*). Every character of a document starts some term, as the first half
// of a bigram or as the unigram that closes its run, so the prefix finds
// every occurrence. The query drops the unigram that closes its last run
// (the document's run may go on) and keeps the others (a run the query
// closes with punctuation or Latin text is closed in the document too).
// TestRecallCJKSubstrings checks the result for every 1–4 character
// substring of the test documents.
//
// Indexing every character as a unigram as well would avoid prefix queries
// but doubles the postings, and interleaved unigrams break phrase adjacency.
// The run-end unigram costs one posting per run instead. Measured with FTS5
// on a mixed en/ja/zh corpus (go test -tags fts5size), the chosen scheme's
// index is 0.70× the size of the indexed text, against 1.19× with every
// unigram; the corpus is built from few sentences, so real text, with a
// larger vocabulary, will have a larger term dictionary.
//
// # Query language
//
// Parse reads words, "quoted phrases" (also “…” and 「…」), -exclusions and
// filters (status: type: channel: department: assignee: tag: from: lang:
// created: is:) into a Query; Snippet marks a query's matches in a text for
// display, on the original characters.
//
// # The index
//
// Index stores the terms in the application database and answers Search.
// Index.Hook, a ticket.Hook, re-indexes a ticket inside the transaction of
// every change, so it is searchable when that transaction commits; Reindex
// rebuilds everything (steward reindex). A document (index_doc.go) is a
// ticket's or supporter's fields; every indexing gives it a new seq in
// search_docs, the recency order of results. The engines (engine.go) differ
// in one place each: engine_sqlite.go stores FTS5 columns and ranks with
// bm25 or by field presence; engine_postgres.go stores the run form
// (runs.go), expanded by the SQL function search_vector for a GIN index,
// and checks phrases with strpos. Both rank only the most recently changed
// matches of a very large result set. docs/search.md has the design, the
// query language for users and the measured figures.
package search
