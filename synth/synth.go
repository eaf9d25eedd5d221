// Package synth writes synthetic, realistic extracts of a local authority's
// children looked after: the three SSDA903 tables and every extension
// table, seeded and deterministic, from ten to a million children. Most
// reviews are on time, some late, a few missing; placements move and break
// down; children are placed for adoption; social workers and IROs are
// allocated and change. Nothing in it describes a real child.
package synth

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

// Options shape an extract.
type Options struct {
	Children int       // how many children (10 to 1,000,000)
	Seed     uint64    // the same seed gives the same extract
	Extract  time.Time // the day the extract was taken: nothing is dated after it
	Years    int       // how many years of history before the extract date
	// XLSXTables lists tables written as sheets of extensions.xlsx instead
	// of CSV files; with Format "xlsx" every table goes into extract.xlsx.
	XLSXTables []string
	Format     string // "csv" (default) or "xlsx"
	// Shape is ShapeStandard (empty) or ShapeHeavy.
	Shape string
	// Returns, when above 0, writes the history as that many returns, one
	// folder per collection year (CutReturns).
	Returns int
	// Authorities, when 2 or more, writes the extract of a regional group:
	// the children are shared out among that many authorities (codes
	// AuthorityCode(0), AuthorityCode(1), ...), every table has an LA
	// column first, and each authority's children are numbered as a
	// single authority's are, so that their identifiers overlap.
	Authorities int
}

// AuthorityCode is the LA code of the k-th authority (from 0) of a sample
// of several: 101, 102, ... The DfE's codes start at 201, so no sample
// code is a real authority's.
func AuthorityCode(k int) string { return strconv.Itoa(101 + k) }

// MaxAuthorities is the most authorities a sample may have.
const MaxAuthorities = 99

// The shapes of an extract.
const (
	// ShapeStandard is about 29 input rows a child over ten years: visits
	// only in a placement's first and latest months, PEPs each term or two
	// of school age, health assessments as the timescales require.
	ShapeStandard = "standard"
	// ShapeHeavy is the shape of a case-management system that exports all
	// its activity, about 37 rows a child over ten years: every statutory
	// visit of every placement, a PEP each term from age 3 to 17, review
	// details for every review, and health assessments every six months
	// at every age.
	ShapeHeavy = "heavy"
)

// Table names and columns, in the order written.
var tableColumns = []struct {
	name string
	cols []string
	iso  bool // dates as yyyy-mm-dd rather than the 903's dd/mm/yyyy
}{
	{"header", []string{"CHILD", "SEX", "DOB", "ETHNIC", "UPN"}, false},
	{"episodes", []string{"CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC", "REASON_PLACE_CHANGE"}, false},
	{"reviews", []string{"CHILD", "DOB", "REVIEW", "REVIEW_CODE"}, false},
	{"review_details", []string{"CHILD", "REVIEW", "MEETING_HELD", "SW_PRESENT", "ADJOURNMENTS", "ADJOURNED_TO", "CONSULTATION", "INVITES_SENT", "SW_REPORT", "DECISIONS_ISSUED", "CARE_PLAN_UPDATED", "RECORD_COMPLETED", "RECORD_DISTRIBUTED", "LONG_TERM_FOSTER"}, true},
	{"peps", []string{"CHILD", "PEP_DATE"}, false},
	{"permanence_plans", []string{"CHILD", "PLAN_DATE", "PLAN_TYPE"}, true},
	{"disruption_meetings", []string{"CHILD", "MEETING_DATE", "SENIOR_MANAGER"}, true},
	{"health_assessments", []string{"CHILD", "ASSESSMENT_DATE", "ASSESSMENT_TYPE"}, false},
	{"visits", []string{"CHILD", "VISIT_DATE", "CHILD_SEEN", "BEDROOM_SEEN"}, true},
	{"allocations", []string{"CHILD", "ROLE", "WORKER", "START", "END"}, true},
	{"qa_alerts", []string{"ALERT_ID", "CHILD", "RAISED", "REASON", "LEVEL", "RESOLVED", "ESCALATED"}, true},
}

const (
	tHeader = iota
	tEpisodes
	tReviews
	tReviewDetails
	tPeps
	tPermanence
	tDisruption
	tHealth
	tVisits
	tAllocations
	tAlerts
	numTables
)

// cell is one value: text, or a date (d > 0 means a date; noDate is empty).
type cell struct {
	s string
	d day
}

const noDate day = -1 << 30

func txt(s string) cell { return cell{s: s, d: noDate} }
func dt(d day) cell     { return cell{d: d} }
func optDate(d day, ok bool) cell {
	if !ok {
		return txt("")
	}
	return dt(d)
}
func yn(b bool) cell {
	if b {
		return txt("Y")
	}
	return txt("N")
}

// sink receives the generated rows.
type sink interface {
	row(table int, cells []cell) error
	close() error
}

type generator struct {
	o       Options
	extract day
	start   day // earliest period start
	sws     []worker
	iros    []string
	alertNo int
	out     sink
	heavy   bool // ShapeHeavy
}

type worker struct{ name, team string }

var firstNames = []string{"Alex", "Sam", "Jo", "Priya", "Tom", "Aisha", "Ben", "Chloe", "Dan", "Ella", "Femi", "Grace", "Hassan", "Isla", "Jack", "Kemi", "Liam", "Maya", "Nadia", "Owen", "Pat", "Rosa", "Sean", "Tara", "Umar", "Vic", "Will", "Yasmin", "Zoe", "Ruth"}
var surnames = []string{"Adams", "Begum", "Clarke", "Davies", "Evans", "Fraser", "Green", "Hughes", "Iqbal", "Jones", "Khan", "Lewis", "Morgan", "Nolan", "Okafor", "Patel", "Quinn", "Roberts", "Smith", "Taylor", "Usman", "Walker", "Young", "Ahmed", "Brown", "Cooper", "Doyle", "Ellis", "Foster", "Hall"}
var teamNames = []string{"North", "South", "East", "West", "Central", "Children in Care 1", "Children in Care 2", "Disabled Children", "Adolescents", "Permanence"}

func personName(i int) string {
	n := firstNames[i%len(firstNames)] + " " + surnames[(i/len(firstNames))%len(surnames)]
	if k := i / (len(firstNames) * len(surnames)); k > 0 {
		n += " " + strconv.Itoa(k+1)
	}
	return n
}

// Generate writes the extract into dir, which must be new, empty or an
// earlier sample's (see MarkerName); otherwise it returns a *FolderError.
func Generate(dir string, o Options) error {
	if o.Children < 1 {
		return fmt.Errorf("children must be at least 1, not %d", o.Children)
	}
	if o.Children > 1_000_000 {
		return fmt.Errorf("children must be at most 1,000,000, not %d", o.Children)
	}
	if o.Years < 1 {
		o.Years = 5
	}
	if o.Format != "" && o.Format != "csv" && o.Format != "xlsx" {
		return fmt.Errorf("format %q: expected csv or xlsx", o.Format)
	}
	switch o.Shape {
	case "", ShapeStandard, ShapeHeavy:
	default:
		return fmt.Errorf("shape %q: expected %s or %s", o.Shape, ShapeStandard, ShapeHeavy)
	}
	if o.Authorities > MaxAuthorities || (o.Authorities > 1 && o.Children < o.Authorities) {
		return fmt.Errorf("authorities %d: expected at most %d, and at most one a child", o.Authorities, MaxAuthorities)
	}
	if o.Returns > 0 {
		return generateReturns(dir, o)
	}
	if err := claim(dir); err != nil {
		return err
	}
	var out sink
	var err error
	la := o.Authorities > 1
	switch o.Format {
	case "", "csv":
		out, err = newCSVSink(dir, o.XLSXTables, la)
	case "xlsx":
		out, err = newXLSXSink(dir, la)
	default:
		return fmt.Errorf("format %q: expected csv or xlsx", o.Format)
	}
	if err != nil {
		return err
	}
	if !la {
		if err := generate(o, out); err != nil {
			_ = out.close()
			return err
		}
		return out.close()
	}
	// Each authority is a sample of its own share of the children, with a
	// seed of its own, its rows marked with its code.
	for k := range o.Authorities {
		ok := o
		ok.Children = o.Children / o.Authorities
		if k < o.Children%o.Authorities {
			ok.Children++
		}
		ok.Seed = o.Seed + uint64(k)*0x9E3779B97F4A7C15
		if err := generate(ok, laSink{out: out, code: AuthorityCode(k)}); err != nil {
			_ = out.close()
			return err
		}
	}
	return out.close()
}

// laSink marks every row with an authority's code, in the first column.
type laSink struct {
	out  sink
	code string
}

func (s laSink) row(t int, cells []cell) error {
	return s.out.row(t, append([]cell{txt(s.code)}, cells...))
}

func (s laSink) close() error { return nil }

// generate writes the children of one authority to out, which it leaves open.
func generate(o Options, out sink) error {
	g := &generator{o: o, extract: fromTime(o.Extract), out: out, heavy: o.Shape == ShapeHeavy}
	g.start = g.extract - day(o.Years*365)
	nTeams := min(max(3, o.Children/250), 400)
	for i := 0; i < max(4, o.Children/14); i++ {
		team := "Team " + teamNames[i%nTeams%len(teamNames)]
		if nTeams > len(teamNames) {
			team = fmt.Sprintf("Team %s %d", teamNames[i%nTeams%len(teamNames)], i%nTeams/len(teamNames)+1)
		}
		g.sws = append(g.sws, worker{name: personName(i*7 + 3), team: team})
	}
	for i := 0; i < max(2, o.Children/55); i++ {
		g.iros = append(g.iros, personName(i*11+5+len(g.sws)*7))
	}
	for i := 0; i < o.Children; i++ {
		if err := g.child(i); err != nil {
			return err
		}
	}
	return nil
}

func (g *generator) emit(table int, cells ...cell) error { return g.out.row(table, cells) }

// childID is a six-digit identifier, unique for up to a million children;
// some start with zeros, as real ones do.
func childID(i int) string {
	v := (i*7919 + 104729) % 1_000_000
	s := strconv.Itoa(v)
	for len(s) < 6 {
		s = "0" + s
	}
	return s
}

// chance is true with probability p.
func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func between(r *rand.Rand, lo, hi int) int { return lo + r.IntN(hi-lo+1) }

var (
	ethnicCodes  = []string{"WBRI", "WBRI", "WBRI", "WBRI", "WBRI", "WBRI", "WIRI", "WOTH", "WIRT", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN", "ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT"}
	fosterPlaces = []string{"U1", "U2", "U3", "U3", "U4", "U5", "U6", "U6"}
	otherPlaces  = []string{"K2", "K2", "R1", "H5", "S1", "P1", "R2", "K1", "Z1"}
	breakdowns   = []string{"CREQB", "CREQO", "CHILD", "LAREQ", "ALLEG", "STAND", "APPRR"}
	plannedMoves = []string{"CARPL", "CARPL", "CLOSE", "PLACE", "OTHER"}
	leaveCodes   = []string{"E4A", "E4A", "E13", "E8", "E7", "E17", "E41", "E12", "E45"}
	alertReasons = []string{"Information missing/incomplete/poor quality", "Placement concerns", "Care plan drift", "No social worker present at the review", "No allocated social worker", "Decisions not addressed by subsequent review", "Statutory visits not maintained", "Young person and/or their sleeping arrangements not seen", "Two or more placement breakdowns with no disruption meeting", "Overdue health review", "No current PEP", "No permanency plan by the second review"}
	planTypes    = []string{"REUNIFICATION", "LTF", "ADOPTION", "SGO", "LTF", "KINSHIP", "INDEPENDENCE"}
)

// episode is one row of the episodes table while it is being built.
type episode struct {
	start, end day
	open       bool
	rne, ls    string
	place, rec string
	reason     string
}

// period is one period of care while it is being built.
type period struct {
	start, end day
	open       bool
	episodes   []episode
	shortBreak bool
	adoptStart day // 0: never placed for adoption
	adoptEnd   day // end of the placement for adoption, when it ended without adoption
	breakdowns []day
	placements []day // placement start dates
}

func (g *generator) child(i int) error {
	r := rand.New(rand.NewPCG(g.o.Seed, uint64(i)+1))
	id := childID(i)
	// The child's first period starts somewhere in the window; most of a
	// council's history is children who have left care, the rest are here now.
	first := g.start + day(r.IntN(int(g.extract-g.start)))
	if chance(r, 0.35) {
		first = g.extract - day(r.IntN(900)) - 1 // more recent arrivals
	}
	age := pick(r, []int{0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 13, 14, 14, 15, 15, 16, 16})
	dob := first - day(age*365+r.IntN(365))
	sex := "1"
	if chance(r, 0.45) {
		sex = "2"
	}
	if err := g.emit(tHeader, txt(id), txt(sex), dt(dob), txt(pick(r, ethnicCodes)),
		txt(fmt.Sprintf("%c%012d", 'A'+r.IntN(26), r.Int64N(1e12)))); err != nil {
		return err
	}
	adult := dob + day(18*365+4)
	shortBreaks := chance(r, 0.04)
	var periods []period
	if shortBreaks {
		t := first
		for k := 0; k < between(r, 2, 6) && t < g.extract && t < adult; k++ {
			p := period{start: t, end: t + day(between(r, 2, 6)), shortBreak: true}
			p.episodes = []episode{{start: p.start, end: p.end, rne: "S", ls: pick(r, []string{"V3", "V4"}), place: "U6", rec: "E16"}}
			if p.end > g.extract {
				p.open, p.episodes[0].open = true, true
			}
			periods = append(periods, p)
			t = p.end + day(between(r, 20, 120))
		}
	} else {
		t := first
		for k := 0; k < 3 && t < g.extract && t < adult-60; k++ {
			p := g.period(r, t, dob, adult)
			periods = append(periods, p)
			if p.open || !chance(r, 0.12) {
				break
			}
			t = p.end + day(between(r, 30, 700))
		}
	}
	for _, p := range periods {
		for _, e := range p.episodes {
			if err := g.emit(tEpisodes, txt(id), dt(e.start), txt(e.rne), txt(e.ls), txt(pick(r, []string{"N1", "N1", "N2", "N4", "N5", "N8"})),
				txt(e.place), txt(pick(r, []string{"PR1", "PR1", "PR2", "PR4", "PR5"})), optDate(e.end, !e.open), txt(orEmpty(e.rec, !e.open)), txt(e.reason)); err != nil {
				return err
			}
		}
		if p.shortBreak {
			continue
		}
		if err := g.periodRecords(r, id, dob, p); err != nil {
			return err
		}
	}
	return nil
}

func orEmpty(s string, ok bool) string {
	if !ok {
		return ""
	}
	return s
}

// period builds the episodes of one period of care starting at t.
func (g *generator) period(r *rand.Rand, t, dob, adult day) period {
	p := period{start: t}
	p.end = min(t+day(30+int(r.ExpFloat64()*650)), adult)
	leave := pick(r, leaveCodes)
	if p.end >= adult {
		leave = pick(r, []string{"E17", "E7", "E8"})
	}
	young := ageOn(dob, t) < 5
	var adoptAt, adoptEnd day
	if young && chance(r, 0.3) {
		adoptAt = t + day(between(r, 200, 500))
		if chance(r, 0.12) {
			// The placement for adoption breaks down and the child stays in care.
			adoptEnd = adoptAt + day(between(r, 60, 200))
			p.end = adoptEnd + day(between(r, 100, 600))
		} else {
			p.end, leave = adoptAt+day(between(r, 150, 400)), "E11"
		}
	}
	ls := pick(r, []string{"C2", "C2", "C2", "V2", "V2", "C1", "L1", "E1", "J2"})
	place := pick(r, fosterPlaces)
	if !young && chance(r, 0.3) {
		place = pick(r, otherPlaces)
	}
	cur := episode{start: t, rne: "S", ls: ls, place: place}
	p.placements = append(p.placements, t)
	// change ends the current episode at ev and starts the next.
	change := func(ev day, rne, place, reason string, breakdown bool) {
		cur.end, cur.rec, cur.reason = ev, "X1", reason
		p.episodes = append(p.episodes, cur)
		ls := cur.ls
		if rne == "L" || rne == "B" || rne == "U" {
			ls = pick(r, []string{"C2", "C1", "E1", "V2"})
		}
		cur = episode{start: ev, rne: rne, ls: ls, place: place}
		if rne != "L" {
			p.placements = append(p.placements, ev)
		}
		if breakdown {
			p.breakdowns = append(p.breakdowns, ev)
		}
	}
	moves := func(from, until day) {
		for ev := from + day(60+int(r.ExpFloat64()*300)); ev < until; ev += day(60 + int(r.ExpFloat64()*300)) {
			if chance(r, 0.3) {
				change(ev, "L", cur.place, "", false)
				continue
			}
			rne := pick(r, []string{"P", "P", "P", "P", "B", "T", "U"})
			next := cur.place
			if rne != "T" {
				next = pick(r, fosterPlaces)
				if chance(r, 0.25) {
					next = pick(r, otherPlaces)
				}
			}
			if chance(r, 0.4) {
				change(ev, rne, next, pick(r, breakdowns), true)
			} else {
				change(ev, rne, next, pick(r, plannedMoves), false)
			}
		}
	}
	if adoptAt == 0 {
		moves(t, p.end)
	} else {
		moves(t, adoptAt)
		change(adoptAt, "P", pick(r, []string{"A3", "A5", "A4", "A6"}), "CARPL", false)
		p.adoptStart = adoptAt
		if adoptEnd > 0 {
			change(adoptEnd, "P", pick(r, fosterPlaces), "CREQB", true)
			p.adoptEnd = adoptEnd
			moves(adoptEnd, p.end)
		}
	}
	cur.end, cur.rec = p.end, leave
	p.episodes = append(p.episodes, cur)
	// Keep only what the extract can know on its date.
	if p.end > g.extract {
		p.open = true
	}
	kept := p.episodes[:0]
	for _, e := range p.episodes {
		if e.start > g.extract {
			continue
		}
		if e.end > g.extract {
			e.open, e.rec, e.reason = true, "", ""
		}
		kept = append(kept, e)
	}
	p.episodes = kept
	if p.adoptStart > g.extract {
		p.adoptStart = 0
	}
	if p.adoptEnd > g.extract {
		p.adoptEnd = 0
	}
	p.breakdowns = upTo(p.breakdowns, g.extract)
	p.placements = upTo(p.placements, g.extract)
	return p
}

func upTo(ds []day, last day) []day {
	out := ds[:0]
	for _, d := range ds {
		if d <= last {
			out = append(out, d)
		}
	}
	return out
}

// onTime draws when a task due on due was done: mostly before it, sometimes
// late, sometimes never (ok false).
func onTime(r *rand.Rand, due day, early, late int, pLate, pNever float64) (day, bool) {
	x := r.Float64()
	switch {
	case x < pNever:
		return 0, false
	case x < pNever+pLate:
		return due + day(between(r, 1, late)), true
	}
	return due - day(r.IntN(early+1)), true
}

// periodRecords writes a period's reviews and the extension records.
func (g *generator) periodRecords(r *rand.Rand, id string, dob day, p period) error {
	end := p.end
	if p.open {
		end = g.extract + 1
	}
	// Reviews, as the audit will chain them: looked-after chain, adoption
	// chain, resumption.
	var reviews []day
	diligent := r.Float64() // some teams are simply better at this
	pLate, pNever := 0.05+0.08*(1-diligent), 0.004+0.02*(1-diligent)
	chain := func(from day, firstDue day, intervals []int, until day) {
		due := firstDue
		for k := 0; ; k++ {
			if due >= until && !(until > g.extract && due <= g.extract) {
				return
			}
			d, ok := onTime(r, due, 12, 40, pLate, pNever)
			if !ok || d >= until || d > g.extract || d < from {
				return
			}
			reviews = append(reviews, d)
			if chance(r, 0.003) {
				reviews = append(reviews, d) // the same review entered twice
			}
			due = d + day(intervals[min(k, len(intervals)-1)])
		}
	}
	laEnd := end
	if p.adoptStart > 0 {
		laEnd = p.adoptStart
	}
	chain(p.start, p.start.addWorking(20), []int{91, 183}, laEnd)
	if p.adoptStart > 0 {
		adEnd := end
		if p.adoptEnd > 0 {
			adEnd = p.adoptEnd
		}
		chain(p.adoptStart, p.adoptStart+28, []int{91, 183}, adEnd)
		if p.adoptEnd > 0 {
			last := p.adoptEnd
			if len(reviews) > 0 {
				last = reviews[len(reviews)-1]
			}
			chain(p.adoptEnd, last+183, []int{183}, end)
		}
	}
	ltf := chance(r, 0.5)
	for k, d := range reviews {
		code := "PN0"
		if ageOn(dob, d) >= 4 {
			code = pick(r, []string{"PN1", "PN1", "PN1", "PN1", "PN2", "PN3", "PN3", "PN4", "PN5", "PN6", "PN7"})
		}
		if chance(r, 0.01) {
			code = ""
		}
		if err := g.emit(tReviews, txt(id), dt(dob), dt(d), txt(code)); err != nil {
			return err
		}
		if k > 0 && reviews[k-1] == d || !chance(r, 0.88) && !g.heavy {
			continue
		}
		if err := g.reviewDetails(r, id, d, ltf && k >= 3); err != nil {
			return err
		}
	}
	// Personal education plans while of school age.
	pepLo, pepHi, pepFrom, pepTo := 110, 200, 4, 16
	if g.heavy {
		pepLo, pepHi, pepFrom, pepTo = 80, 125, 3, 17
	}
	if pd, ok := onTime(r, p.start.addWorking(20), 10, 30, 0.1, 0.03); ok {
		for t := pd; t < end && t <= g.extract; t += day(between(r, pepLo, pepHi)) {
			if a := ageOn(dob, t); a >= pepFrom && a <= pepTo {
				if err := g.emit(tPeps, txt(id), dt(t)); err != nil {
					return err
				}
			}
			if chance(r, 0.04) {
				t += day(between(r, 60, 200)) // a lapse
			}
		}
	}
	// A permanence plan around the second review.
	if len(reviews) >= 1 && chance(r, 0.9) {
		pd := reviews[0] + day(between(r, 10, 85))
		if chance(r, 0.15) {
			pd += day(between(r, 30, 120))
		}
		if pd < end && pd <= g.extract {
			if err := g.emit(tPermanence, txt(id), dt(pd), txt(pick(r, planTypes))); err != nil {
				return err
			}
		}
	}
	// Disruption meetings after breakdowns.
	for _, b := range p.breakdowns {
		if !chance(r, 0.75) {
			continue
		}
		md := b + day(between(r, 5, 40))
		if chance(r, 0.15) {
			md += day(between(r, 10, 60))
		}
		if md <= g.extract {
			if err := g.emit(tDisruption, txt(id), dt(md), yn(chance(r, 0.45))); err != nil {
				return err
			}
		}
	}
	// Health assessments: initial, then six-monthly under five, else yearly.
	if hd, ok := onTime(r, p.start.addWorking(20), 10, 40, 0.15, 0.02); ok {
		typ := "IHA"
		for t := hd; t < end && t <= g.extract; {
			if err := g.emit(tHealth, txt(id), dt(t), txt(typ)); err != nil {
				return err
			}
			typ = "RHA"
			gap := 365
			if ageOn(dob, t) < 5 || g.heavy {
				gap = 183
			}
			t += day(gap - between(r, 0, 40))
			if chance(r, 0.1) {
				t += day(between(r, 20, 90))
			}
		}
	}
	// Statutory visits in each placement (only the latest months of long
	// placements are kept, as an extract of recent activity would).
	for k, ps := range p.placements {
		pe := end
		if k+1 < len(p.placements) {
			pe = p.placements[k+1]
		}
		t := ps + day(between(r, 1, 9))
		if chance(r, 0.05) {
			t += day(between(r, 5, 30))
		}
		for ; t < pe && t <= g.extract; t += day(between(r, 20, 48)) {
			if t-ps > 10 && pe-t > 200 && !g.heavy {
				continue
			}
			if err := g.emit(tVisits, txt(id), dt(t), yn(!chance(r, 0.03)), yn(chance(r, 0.55))); err != nil {
				return err
			}
			if chance(r, 0.03) {
				t += day(between(r, 20, 60))
			}
		}
	}
	if err := g.allocations(r, id, p, end); err != nil {
		return err
	}
	// Quality assurance alerts raised by the IRO.
	if chance(r, 0.08) {
		raised := p.start + day(r.IntN(int(min(end, g.extract+1)-p.start)))
		g.alertNo++
		res, resolved := raised.addWorking(between(r, 2, 25)), chance(r, 0.8)
		if res > g.extract {
			resolved = false
		}
		if err := g.emit(tAlerts, txt(fmt.Sprintf("QA%07d", g.alertNo)), txt(id), dt(raised), txt(pick(r, alertReasons)),
			txt(strconv.Itoa(between(r, 1, 3))), optDate(res, resolved), yn(chance(r, 0.12))); err != nil {
			return err
		}
	}
	return nil
}

// reviewDetails writes the preparation and recording dates of one review.
func (g *generator) reviewDetails(r *rand.Rand, id string, d day, ltf bool) error {
	before := func(n, slack int) cell {
		x, ok := onTime(r, d.addWorking(-0)-day(n*7/5), slack, n*7/5-1, 0.12, 0.04)
		return optDate(x, ok && x <= g.extract)
	}
	after := func(n int) cell {
		x, ok := onTime(r, d+day(n*7/5), n, 25, 0.1, 0.02)
		return optDate(x, ok && x <= g.extract)
	}
	adj := "0"
	adjTo := txt("")
	if chance(r, 0.04) {
		adj = "1"
		if chance(r, 0.12) {
			adj = "2"
		}
		adjTo = dt(d + day(between(r, 7, 34)))
	}
	swPresent := yn(!chance(r, 0.07))
	if chance(r, 0.02) {
		swPresent = txt("")
	}
	meeting := !ltf || chance(r, 0.4)
	return g.emit(tReviewDetails, txt(id), dt(d), yn(meeting), swPresent, txt(adj), adjTo,
		before(20, 15), before(10, 5), before(5, 3), after(5), after(10), after(15), after(20), yn(ltf))
}

// allocations writes the social worker, team and IRO allocations of a period.
func (g *generator) allocations(r *rand.Rand, id string, p period, end day) error {
	write := func(role string, name string, s, e day, open bool) error {
		return g.emit(tAllocations, txt(id), txt(role), txt(name), dt(s), optDate(e-1, !open))
	}
	for _, role := range []string{"SW", "IRO"} {
		gap := chance(r, 0.03)
		for s := p.start; s < end && s <= g.extract; {
			e := s + day(between(r, 150, 700))
			open := e >= end && p.open
			if e > end {
				e = end
			}
			if open && gap {
				open, e = false, g.extract-day(between(r, 3, 60))
				if e <= s {
					break
				}
			}
			if role == "SW" {
				w := g.sws[r.IntN(len(g.sws))]
				if err := write("SW", w.name, s, e, open); err != nil {
					return err
				}
				if err := write("TEAM", w.team, s, e, open); err != nil {
					return err
				}
			} else if err := write("IRO", g.iros[r.IntN(len(g.iros))], s, e, open); err != nil {
				return err
			}
			s = e
		}
	}
	return nil
}
