package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
)

// The sidebar groups the screens as the programme's work does, so that fourteen kinds of record take
// seven entries, as many as a 720-pixel window shows without an overflow menu:
//
//	培训与服务记录   the daily entry: sign-in sheets of trainings and visits
//	需求与成果       需求跟踪 · 科技扶贫项目 · 引进推广 · 带头人示范户 · 宣传报道: the path from a
//	                 village's need to what answered it, and what the work yields
//	名册与园区       村庄 · 科技指导人员 · 新品种新技术名册 · 农业科技园区 · 园区结对 · 星创天地、农科驿站:
//	                 what every record names, mostly kept by the city
//	目标进度, 报表与导入, 同步与冲突, 设置
//
// A group is a tab whose content is a row of tabs along its top.
func (u *UI) sidebar() []*container.TabItem {
	u.screens = map[string]*kindScreen{}
	screen := func(title string, build func() *kindScreen) *container.TabItem {
		s := lazyScreen(build)
		u.screens[title] = s
		return container.NewTabItem(T(title), s.content)
	}
	group := func(items ...*container.TabItem) *container.AppTabs {
		g := container.NewAppTabs(items...)
		g.OnSelected = u.focusScreen
		return g
	}
	work := group(screen("需求跟踪", u.newNeedsScreen), screen("科技扶贫项目", u.newProjectsScreen),
		screen("引进推广", u.newIntroductionsScreen), screen("带头人示范户", u.newLeadersScreen),
		screen("宣传报道", u.newPublicityScreen))
	rosters := group(container.NewTabItem(T("村庄"), u.villages.content),
		container.NewTabItem(T("科技指导人员"), u.advisors.content), screen("新品种新技术名册", u.newVarietiesScreen),
		screen("农业科技园区", u.newParksScreen), screen("园区结对", u.newParkPairingsScreen),
		screen("星创天地、农科驿站", u.newPlatformsScreen))
	return []*container.TabItem{
		container.NewTabItemWithIcon(T("培训与服务记录"), theme.DocumentCreateIcon(), u.trainings.content),
		container.NewTabItemWithIcon(T("需求与成果"), theme.ListIcon(), work),
		container.NewTabItemWithIcon(T("名册与园区"), theme.AccountIcon(), rosters),
		container.NewTabItemWithIcon(T("目标进度"), theme.GridIcon(), u.dashboard.content),
		container.NewTabItemWithIcon(T("报表与导入"), theme.DocumentSaveIcon(), u.sheets.content),
		container.NewTabItemWithIcon(T("同步与冲突"), theme.ViewRefreshIcon(), u.syncTab.content),
		container.NewTabItemWithIcon(T("设置"), theme.SettingsIcon(), u.newSettingsTab()),
	}
}

// focusScreen shows the screen a tab holds (a group: its selected screen): its list starts on its first
// showing, and the keyboard goes to its form.
func (u *UI) focusScreen(t *container.TabItem) {
	if t == nil {
		return
	}
	if g, ok := t.Content.(*container.AppTabs); ok {
		u.focusScreen(g.Selected())
		return
	}
	for _, s := range u.screens {
		if s.content == t.Content {
			s.show()
			return
		}
	}
}

// lazyScreen is a screen built when it is first shown: its widgets, its form and its list cost nothing
// at start-up or on each write until the clerk opens it.
func lazyScreen(build func() *kindScreen) *kindScreen {
	holder := container.NewStack()
	s := &kindScreen{content: holder}
	s.show = func() {
		if s.form == nil {
			b := build()
			holder.Objects = []fyne.CanvasObject{b.content}
			holder.Refresh()
			s.form, s.list, s.open = b.form, b.list, b.show
		}
		s.open()
	}
	return s
}
