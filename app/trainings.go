package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// trainingsTab is 培训与服务记录: the entry form on top (trainingform.go) and the list below
// (traininglist.go). Picking a row loads it into the form to edit, delete or see its history.
type trainingsTab struct {
	*trainingForm
	*trainingList
	content fyne.CanvasObject
}

func (u *UI) newTrainingsTab() *trainingsTab {
	form, list := u.newTrainingForm(), u.newTrainingList()
	list.onSelect, list.onShow, list.onOpen = form.edit, form.show, form.edit
	form.onLeaveEdit = list.table.ClearSelection
	form.loadLast()
	return &trainingsTab{trainingForm: form, trainingList: list,
		content: container.NewBorder(container.NewVBox(form.content, widget.NewSeparator()), nil, nil, nil, list.content)}
}
