//! `jiucuo template`: a blank ledger with the reference headers, date-formatted
//! columns and dropdowns listing the enum values.

use anyhow::Result;
use rust_xlsxwriter::{DataValidation, Format};

use crate::output::new_workbook;
use crate::schema::{FieldType, FIELDS};

/// Rows prepared with formats and dropdowns.
pub const TEMPLATE_ROWS: u32 = 5000;

/// The template workbook's bytes.
pub fn blank_ledger() -> Result<Vec<u8>> {
    let mut wb = new_workbook();
    let ws = wb.add_worksheet();
    ws.set_name("案件台账")?;
    let required = Format::new().set_bold().set_background_color("FCE4D6");
    let optional = Format::new().set_bold().set_background_color("D9E1F2");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let text = Format::new().set_num_format("@");
    for (j, field) in FIELDS.iter().enumerate() {
        let j = j as u16;
        let header = if field.required { &required } else { &optional };
        ws.write_string_with_format(0, j, field.header, header)?;
        let width = (unicode_width::UnicodeWidthStr::width(field.header) + 4).max(12);
        ws.set_column_width(j, width as f64)?;
        match field.ty {
            FieldType::Date => {
                ws.set_column_format(j, &date)?;
            }
            FieldType::Text | FieldType::List | FieldType::Clause => {
                ws.set_column_format(j, &text)?;
            }
            _ => {}
        }
        let choices: Option<Vec<&str>> = match field.ty {
            FieldType::Enum(values) => Some(values.to_vec()),
            FieldType::Bool => Some(vec!["是", "否"]),
            _ => None,
        };
        if let Some(choices) = choices {
            let rule = DataValidation::new()
                .allow_list_strings(&choices)?
                .set_error_message(format!("请从下拉列表中选择：{}", choices.join("、")))?;
            ws.add_data_validation(1, j, TEMPLATE_ROWS, j, &rule)?;
        }
    }
    ws.set_freeze_panes(1, 1)?;
    let notes = wb.add_worksheet();
    notes.set_name("填写说明")?;
    let lines = [
        "橙色表头为必填列，蓝色为选填列。",
        "日期可写作 2025-03-01、2025/3/1、2025年3月1日；空白、“-”、“/”、“无”表示没有。",
        "涉及人员可填多人，用顿号、逗号或分号分隔，填执法证号或姓名。",
        "适用条款写作 第十条第（五）项、第10条第5项 或 10(5)。",
        "是/否列可填 是/否、有/无、Y/N、√/×。",
        "被拒收的行会连同“拒收原因”写入拒收文件，改正后可直接重新导入。",
    ];
    for (i, line) in lines.iter().enumerate() {
        notes.write_string(i as u32, 0, *line)?;
    }
    notes.set_column_width(0, 90)?;
    Ok(wb.save_to_buffer()?)
}
