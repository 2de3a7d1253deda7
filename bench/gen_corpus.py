#!/usr/bin/env python3
"""Generate a synthetic bantin site of N article pairs for the benchmark (issue 8).

    python bench/gen_corpus.py N OUT [--seed 8] [--per-page 10] [--no-shortcodes] [--no-sections]

The site is shaped like the real sample: Vietnamese bodies of about 4 KB (the seed
report is 4.3 KB) with headings, a list, a table, two figures with captions that use
a few small SVG images shared in content/media/, a ``{{< stats >}}`` and an
``{{< event >}}`` shortcode in some articles; front matter with authors from a pool,
3–5 tags from a pool of 200 Vietnamese tags and dates spread over ten years
(2015–2024); 10% of the articles are Vietnamese-only, the others have an English
translation. Calendar events (N/20) and stats snapshots (N/50) scale with N.

OUT gets its own copy of the repository's templates/ and site_config.yaml (with
``per_page`` set), so ``build.py --root OUT build`` works.

Deterministic: one seeded random generator, sorted iteration, no clock, no hash
order. The same N and seed always give the same bytes.

Only the standard library is used.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
import unicodedata
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VI_ONLY_SHARE = 10  # one article in ten has no English translation
FIRST_DAY = date(2015, 1, 1)
DAYS = (date(2024, 12, 31) - FIRST_DAY).days + 1

# --- pools ------------------------------------------------------------------------------------------

PROVINCES = [
    "An Giang", "Bà Rịa – Vũng Tàu", "Bắc Giang", "Bắc Kạn", "Bạc Liêu", "Bắc Ninh", "Bến Tre",
    "Bình Định", "Bình Dương", "Bình Phước", "Bình Thuận", "Cà Mau", "Cần Thơ", "Cao Bằng", "Đà Nẵng",
    "Đắk Lắk", "Đắk Nông", "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Giang", "Hà Nam",
    "Hà Nội", "Hà Tĩnh", "Hải Dương", "Hải Phòng", "Hậu Giang", "Hòa Bình", "Hưng Yên", "Khánh Hòa",
    "Kiên Giang", "Kon Tum", "Lai Châu", "Lâm Đồng", "Lạng Sơn", "Lào Cai", "Long An", "Nam Định",
    "Nghệ An", "Ninh Bình", "Ninh Thuận", "Phú Thọ", "Phú Yên", "Quảng Bình", "Quảng Nam",
    "Quảng Ngãi", "Quảng Ninh", "Quảng Trị", "Sóc Trăng", "Sơn La", "Tây Ninh", "Thái Bình",
    "Thái Nguyên", "Thanh Hóa", "Thừa Thiên Huế", "Tiền Giang", "TP Hồ Chí Minh", "Trà Vinh",
    "Tuyên Quang", "Vĩnh Long", "Vĩnh Phúc", "Yên Bái",
]  # 63
DISTRICTS = [
    "Cao Lộc", "Văn Lãng", "Tràng Định", "Bình Gia", "Văn Quan", "Bắc Sơn", "Hữu Lũng", "Chi Lăng",
    "Lộc Bình", "Đình Lập", "Hà Quảng", "Trùng Khánh", "Quảng Hòa", "Bảo Lạc", "Nguyên Bình",
    "Chợ Đồn", "Ba Bể", "Na Rì", "Pác Nặm", "Ngân Sơn", "Mèo Vạc", "Đồng Văn", "Yên Minh", "Bắc Mê",
    "Hoàng Su Phì", "Sa Pa", "Bát Xát", "Mường Khương", "Si Ma Cai", "Bắc Hà", "Mù Cang Chải",
    "Trạm Tấu", "Văn Chấn", "Lục Yên", "Yên Bình", "Mộc Châu", "Thuận Châu", "Mai Sơn", "Sông Mã",
    "Phù Yên", "Tủa Chùa", "Mường Nhé", "Tuần Giáo", "Sìn Hồ", "Phong Thổ", "Than Uyên", "Đà Bắc",
    "Mai Châu", "Tân Lạc", "Lạc Sơn", "Kim Bôi", "Đại Từ", "Định Hóa", "Võ Nhai", "Phú Lương",
    "Sơn Dương", "Chiêm Hóa", "Na Hang", "Hàm Yên", "Lục Ngạn", "Sơn Động", "Yên Thế", "Tân Yên",
    "Thanh Sơn", "Yên Lập", "Cẩm Khê", "Quan Hóa", "Mường Lát", "Bá Thước", "Ngọc Lặc", "Kỳ Sơn",
    "Tương Dương", "Con Cuông", "Quế Phong", "Hương Khê", "Minh Hóa", "Hướng Hóa", "A Lưới",
    "Nam Trà My", "Tây Giang", "Ba Tơ", "Sơn Hà",
]  # 82
# (Vietnamese, English) tag names: 45 topics.
TOPICS = [
    ("BHXH toàn dân", "Universal social insurance"), ("BHXH tự nguyện", "Voluntary social insurance"),
    ("BHXH bắt buộc", "Compulsory social insurance"), ("BHYT", "Health insurance"),
    ("BHYT hộ gia đình", "Household health insurance"), ("BHYT học sinh, sinh viên", "Student health insurance"),
    ("Bảo hiểm thất nghiệp", "Unemployment insurance"), ("Bưu điện", "Vietnam Post"),
    ("Lương hưu", "Pensions"), ("Trợ cấp xã hội", "Social allowances"), ("Chi trả qua bưu điện", "Payments by post"),
    ("Cải cách hành chính", "Administrative reform"), ("Dịch vụ công trực tuyến", "Online public services"),
    ("Chuyển đổi số", "Digital transformation"), ("VssID", "VssID app"), ("Sổ BHXH", "Social insurance books"),
    ("Thẻ BHYT", "Health insurance cards"), ("Nợ đóng BHXH", "Contribution arrears"),
    ("Thanh tra, kiểm tra", "Inspections"), ("Tuyên truyền", "Awareness campaigns"),
    ("Hội nghị đối thoại", "Dialogue conferences"), ("Tập huấn", "Training"), ("Đại lý thu", "Collection agents"),
    ("Người lao động", "Workers"), ("Doanh nghiệp", "Businesses"), ("Nông dân", "Farmers"),
    ("Hộ nghèo", "Poor households"), ("Người cao tuổi", "Older people"), ("Phụ nữ", "Women"),
    ("Thanh niên", "Youth"), ("Đồng bào dân tộc thiểu số", "Ethnic minorities"), ("Khám chữa bệnh", "Medical care"),
    ("Quỹ BHXH", "Social insurance fund"), ("Chính sách mới", "New policies"), ("Luật BHXH", "Social insurance law"),
    ("Nghị quyết 28", "Resolution 28"), ("Chỉ tiêu", "Targets"), ("Số liệu", "Figures"),
    ("Gương điển hình", "Role models"), ("Hỏi đáp", "Questions and answers"), ("Hướng dẫn", "How-to"),
    ("Thi đua khen thưởng", "Awards"), ("Phòng chống trục lợi", "Fraud prevention"),
    ("Ngày hội BHXH", "Social insurance fairs"), ("Tháng vận động", "Campaign month"),
]
YEARS = list(range(2015, 2025))  # 10 year tags: "Năm 2015" / "Year 2015"


def tag_pool() -> list[tuple[str, str]]:
    """Exactly 200 (vi, en) tags: 45 topics, 63 provinces, 82 districts, 10 years."""
    tags = list(TOPICS)
    tags += [(p, p) for p in PROVINCES]
    tags += [(f"Huyện {d}", f"{d} district") for d in DISTRICTS]
    tags += [(f"Năm {y}", f"Year {y}") for y in YEARS]
    assert len(tags) == 200 and len({vi for vi, _ in tags}) == 200, len(tags)
    return tags


AUTHORS = [
    "Thanh Huyền", "Minh Tâm", "Ngọc Anh", "Văn Hùng", "Thu Trang", "Quốc Bảo", "Hồng Nhung", "Đức Thắng",
    "Lan Hương", "Mạnh Cường", "Phương Thảo", "Tuấn Anh", "Bích Ngọc", "Hoàng Long", "Thúy Hằng",
    "Đình Phúc", "Kim Oanh", "Trọng Nghĩa", "Hải Yến", "Xuân Trường", "Mai Phương", "Đăng Khoa",
    "Thùy Linh", "Việt Dũng", "Ánh Tuyết", "Công Minh", "Diệu Linh", "Gia Huy", "Khánh Vân",
    "Lê Quân", "Ban biên tập", "Nhóm phóng viên",
]
OUTLETS = ["Báo Lạng Sơn", "Báo Cao Bằng", "Báo Bắc Kạn", "Báo Hà Giang", "Báo Lào Cai", "Báo Yên Bái",
           "Báo Thái Nguyên", "Báo Tuyên Quang", "Tạp chí BHXH", "Cổng thông tin BHXH Việt Nam"]
DATELINES = ["LSO", "CBO", "BKO", "HGO", "Lạng Sơn", "Cao Bằng", "Hà Nội", "Thái Nguyên"]
OFFICIALS = ["Dương Xuân Huyên", "Phạm Anh Tuấn", "Nguyễn Thế Mạnh", "Trần Đình Liệu", "Lê Thị Hồng",
             "Hoàng Văn Nghiệm", "Vi Thị Hoa", "Đỗ Văn Chung", "Lương Thị Vân", "Nông Đức Thịnh"]
CATEGORIES = ("campaign", "launch", "deadline")

# --- sentences: (Vietnamese, English) with the same placeholders ----------------------------------

SENTENCES = [
    ("Sáng nay ({dm}), BHXH tỉnh {prov} phối hợp với Bưu điện tỉnh tổ chức lễ ra quân tuyên truyền, vận động người dân tham gia BHXH tự nguyện trên địa bàn huyện {dist}.",
     "This morning ({dm_en}), the {prov} provincial social insurance office and the provincial post office held a launch event to inform people in {dist} district about voluntary social insurance."),
    ("Dự buổi lễ có đồng chí {off}, Phó Chủ tịch UBND tỉnh, cùng lãnh đạo các sở, ban, ngành, đoàn thể và {n1} cán bộ, nhân viên của hai ngành.",
     "The event was attended by {off}, Vice Chairman of the provincial People's Committee, leaders of provincial departments and mass organisations, and {n1} staff of the two sectors."),
    ("Đến nay, toàn tỉnh có {n2} người tham gia BHXH, trong đó tham gia BHXH tự nguyện là {n3} người, đạt {pct}% kế hoạch năm {year}.",
     "To date, {n2} people in the province take part in social insurance, {n3} of them voluntarily, which is {pct}% of the {year} plan."),
    ("Tỷ lệ bao phủ BHYT trên địa bàn đạt {pct2}% dân số, tăng {pct3} điểm phần trăm so với cùng kỳ năm trước.",
     "Health insurance now covers {pct2}% of the population, {pct3} percentage points more than a year earlier."),
    ("Trong {months} tháng đầu năm, ngành BHXH đã chi trả lương hưu, trợ cấp xã hội cho gần {n1} người qua hệ thống bưu điện.",
     "In the first {months} months of the year, the social insurance sector paid pensions and social allowances to nearly {n1} people through the post office network."),
    ("Các đại lý thu tại {dist} đã tổ chức {n4} hội nghị tuyên truyền tại thôn, bản, thu hút hơn {n5} lượt người dân tham dự.",
     "Collection agents in {dist} held {n4} information meetings in villages, attended by more than {n5} people."),
    ("Đồng chí {off} đề nghị các cấp ủy, chính quyền tiếp tục đẩy mạnh công tác tuyên truyền về chính sách BHXH, BHYT để người dân hiểu rõ quyền lợi của mình.",
     "{off} asked party committees and local authorities to step up communication about social and health insurance so that people understand their entitlements."),
    ("Theo BHXH tỉnh {prov}, số nợ đóng BHXH, BHYT kéo dài của {n4} đơn vị đã giảm còn {money} triệu đồng.",
     "According to the {prov} social insurance office, long-standing arrears of {n4} employers have fallen to {money} million dong."),
    ("Người tham gia BHXH tự nguyện được Nhà nước hỗ trợ từ {pct3}% đến {pct4}% mức đóng, tùy theo đối tượng.",
     "The State pays between {pct3}% and {pct4}% of the contribution of voluntary participants, depending on their situation."),
    ("Ứng dụng VssID hiện đã có {n2} tài khoản được kích hoạt, giúp người dân tra cứu quá trình tham gia và sử dụng thẻ BHYT trên điện thoại.",
     "The VssID app now has {n2} active accounts, letting people look up their contribution record and use their health insurance card on their phones."),
    ("Tại buổi đối thoại, {n4} doanh nghiệp và người lao động đã nêu các câu hỏi về thủ tục hưởng chế độ ốm đau, thai sản.",
     "At the dialogue, {n4} businesses and workers asked about the procedures for sickness and maternity benefits."),
    ("Ban tổ chức đã trao {n4} sổ BHXH và {n5} thẻ BHYT miễn phí cho hộ nghèo, hộ cận nghèo tại xã {dist}.",
     "The organisers handed {n4} social insurance books and {n5} free health insurance cards to poor and near-poor households in {dist} commune."),
    ("Kết quả kiểm tra tại {n4} đơn vị cho thấy phần lớn đã thực hiện đúng quy định về đóng BHXH cho người lao động.",
     "Inspections of {n4} employers found that most of them paid social insurance for their workers as required."),
    ("Năm {year}, BHXH Việt Nam giao cho tỉnh {prov} chỉ tiêu phát triển trên {n3} người tham gia BHXH tự nguyện.",
     "For {year}, Vietnam Social Security set {prov} the target of enrolling more than {n3} people in voluntary social insurance."),
    ("Nhiều cán bộ thu đã đến tận nhà người dân ở {dist} để giải thích cách đóng, mức hưởng và thủ tục tham gia.",
     "Many collection staff visited homes in {dist} to explain how to contribute, what the benefits are and how to join."),
    ("Chị {name}, một tiểu thương ở thị trấn {dist}, cho biết sau khi nghe tuyên truyền, gia đình chị đã đăng ký tham gia BHXH tự nguyện cho {n6} người.",
     "Ms {name}, a trader in {dist} town, said that after the information session her family enrolled {n6} members in voluntary social insurance."),
    ("Quỹ khám chữa bệnh BHYT của tỉnh trong năm đã chi {money} triệu đồng cho {n2} lượt khám, chữa bệnh.",
     "The province's health insurance fund paid {money} million dong for {n2} medical visits during the year."),
    ("Ngành BHXH sẽ tiếp tục đẩy mạnh chuyển đổi số, giảm thời gian giải quyết hồ sơ xuống còn {n6} ngày làm việc.",
     "The social insurance sector will press on with digital transformation and cut the time to process a file to {n6} working days."),
    ("Sau lễ phát động, các đoàn viên thanh niên đã diễu hành tuyên truyền lưu động trên các trục đường chính của {dist}.",
     "After the launch, youth union members held a mobile awareness parade along the main streets of {dist}."),
    ("Hội nghị cũng đã khen thưởng {n6} tập thể và {n4} cá nhân có thành tích xuất sắc trong công tác phát triển người tham gia.",
     "The conference also honoured {n6} teams and {n4} individuals for outstanding work in enrolling participants."),
    ("Theo kế hoạch, đến ngày {ddmmyyyy}, toàn tỉnh phấn đấu có {pct}% lực lượng lao động trong độ tuổi tham gia BHXH.",
     "Under the plan, by {date_en} the province aims to have {pct}% of its working-age labour force in social insurance."),
    ("Lãnh đạo BHXH tỉnh {prov} cho biết sẽ phối hợp chặt chẽ với UBND các xã để rà soát danh sách người chưa tham gia BHYT.",
     "The head of the {prov} social insurance office said it would work closely with commune authorities to list the people who still lack health insurance."),
    ("Anh {name2}, lao động tự do ở xã {dist}, chia sẻ: mỗi tháng anh dành một khoản nhỏ để đóng BHXH tự nguyện, mong khi về già có lương hưu.",
     "Mr {name2}, a self-employed worker in {dist} commune, said he sets aside a small sum every month for voluntary social insurance so that he will have a pension in old age."),
    ("Trong năm {year}, toàn tỉnh có thêm {n3} người tham gia BHXH tự nguyện, cao nhất từ trước đến nay.",
     "In {year}, {n3} more people in the province joined voluntary social insurance, the most ever."),
    ("Công tác cấp sổ BHXH, thẻ BHYT được thực hiện nhanh gọn, người dân không phải đi lại nhiều lần.",
     "Social insurance books and health insurance cards are now issued quickly, so people no longer have to come back several times."),
    ("Đoàn công tác đã làm việc với UBND huyện {dist} về kế hoạch giao chỉ tiêu phát triển người tham gia cho từng xã, thị trấn.",
     "The delegation met the {dist} district People's Committee about the plan that sets each commune and town a target for new participants."),
    ("Các trường học trên địa bàn đã phối hợp vận động {n5} học sinh, sinh viên tham gia BHYT, đạt tỷ lệ {pct2}%.",
     "Schools in the area persuaded {n5} pupils and students to take out health insurance, a rate of {pct2}%."),
    ("Bưu điện tỉnh {prov} đã bố trí {n4} điểm thu trên địa bàn, mở cửa cả ngày thứ Bảy và Chủ nhật trong tháng cao điểm.",
     "The {prov} provincial post office set up {n4} collection points in the area, open on Saturdays and Sundays during the peak month."),
    ("Những trường hợp có khó khăn được hướng dẫn chọn mức đóng thấp nhất, sau đó có thể điều chỉnh khi thu nhập tăng.",
     "People with difficulties are advised to start at the lowest contribution level and raise it later when their income grows."),
    ("Ngày {ddmmyyyy}, BHXH huyện {dist} sẽ tổ chức tổng kết, đánh giá kết quả và rút kinh nghiệm cho năm tiếp theo.",
     "On {date_en}, the {dist} district social insurance office will review the results and draw lessons for the following year."),
]
HEADINGS = [
    ("Kết quả nổi bật", "Main results"), ("Những khó khăn, vướng mắc", "Difficulties"),
    ("Giải pháp trong thời gian tới", "Next steps"), ("Ý kiến người dân", "What people say"),
    ("Số liệu đến ngày {ddmmyyyy}", "Figures as of {date_en}"), ("Quyền lợi khi tham gia", "Benefits of joining"),
    ("Phối hợp giữa các ngành", "Working together"), ("Tuyên truyền đến từng thôn, bản", "Reaching every village"),
]
LIST_ITEMS = [
    ("Đăng ký tham gia tại điểm thu của Bưu điện {dist}", "Enrol at the {dist} post office collection point"),
    ("Mang theo căn cước công dân và số điện thoại", "Bring your citizen ID card and a phone number"),
    ("Chọn mức thu nhập làm căn cứ đóng, từ {money} nghìn đồng", "Choose the income the contribution is based on, from {money} thousand dong"),
    ("Chọn phương thức đóng: hằng tháng, 3 tháng, 6 tháng hoặc 12 tháng", "Choose to pay monthly, every 3, 6 or 12 months"),
    ("Tra cứu quá trình đóng trên ứng dụng VssID", "Check your contributions in the VssID app"),
    ("Liên hệ tổng đài 1900 9068 khi cần hỗ trợ", "Call 1900 9068 for help"),
    ("Nhận thẻ BHYT trong vòng {n6} ngày", "Receive your health insurance card within {n6} days"),
]
FIGURE_CAPTIONS = [
    ("Ảnh minh hoạ (không phải ảnh chụp): lễ ra quân tại {dist}", "Đồng chí {off} phát biểu tại lễ ra quân ở {dist}",
     "Illustration (not a photograph): the launch in {dist}", "{off} speaking at the launch in {dist}"),
    ("Ảnh minh hoạ (không phải ảnh chụp): cán bộ thu tư vấn cho người dân", "Cán bộ Bưu điện {dist} tư vấn chính sách BHXH tự nguyện cho người dân",
     "Illustration (not a photograph): a collection agent advising residents", "Post office staff in {dist} explaining voluntary social insurance to residents"),
    ("Ảnh minh hoạ (không phải ảnh chụp): trao sổ BHXH", "Trao sổ BHXH, thẻ BHYT cho hộ nghèo tại {dist}",
     "Illustration (not a photograph): handing over insurance books", "Handing social insurance books and health insurance cards to poor households in {dist}"),
    ("Ảnh minh hoạ (không phải ảnh chụp): hội nghị đối thoại", "Hội nghị đối thoại chính sách BHXH với doanh nghiệp tỉnh {prov}",
     "Illustration (not a photograph): a dialogue conference", "Dialogue on social insurance policy with businesses in {prov}"),
]
TITLES = [
    ("{prov}: ra quân hưởng ứng Tháng vận động BHXH toàn dân tại {dist}", "{prov}: campaign month launched in {dist}"),
    ("{dist} vượt chỉ tiêu phát triển người tham gia BHXH tự nguyện năm {year}", "{dist} beats its {year} target for voluntary social insurance"),
    ("BHXH tỉnh {prov} đối thoại chính sách với doanh nghiệp ở {dist}", "{prov} social insurance office holds a policy dialogue with businesses in {dist}"),
    ("Trao sổ BHXH, thẻ BHYT cho hộ nghèo huyện {dist} ({year})", "Insurance books and cards for poor households in {dist} ({year})"),
    ("{prov} đẩy mạnh chi trả lương hưu qua bưu điện tại {dist}", "{prov} expands pension payments by post in {dist}"),
    ("Tập huấn nghiệp vụ cho đại lý thu BHXH, BHYT huyện {dist} năm {year}", "Training for collection agents in {dist}, {year}"),
    ("Số liệu tham gia BHXH, BHYT tại {prov} đến tháng {month}/{year}", "Social and health insurance figures for {prov}, {month_en} {year}"),
    ("Kiểm tra việc đóng BHXH tại các doanh nghiệp ở {dist}, {prov}", "Inspections of social insurance payments by employers in {dist}, {prov}"),
    ("Người dân {dist} dùng ứng dụng VssID để tra cứu quyền lợi", "People in {dist} use the VssID app to check their benefits"),
    ("Ngày hội BHXH toàn dân tại {dist} thu hút đông đảo người dân", "Universal social insurance fair draws crowds in {dist}"),
]
MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December"]


def fold(text: str) -> str:
    """A slug close to bantin's (diacritics folded, đ -> d), used only to keep titles distinct."""
    text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text.replace("'", "")).strip("-")


def vi_number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def en_number(n: int) -> str:
    return f"{n:,}"


def bold_lead(text: str) -> str:
    words = text.split(" ")
    return "**" + " ".join(words[:2]) + "** " + " ".join(words[2:])


def yaml_str(text: str) -> str:
    """A double-quoted YAML scalar (always quoted: titles contain ': ')."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Corpus:
    def __init__(self, n: int, seed: int, shortcodes: bool, sections: bool):
        self.n = n
        self.rng = random.Random(seed)
        self.shortcodes = shortcodes
        self.sections = sections
        self.tags = tag_pool()
        # A skewed popularity (a few tags are on many articles, most on few), fixed by the seed.
        order = list(range(len(self.tags)))
        self.rng.shuffle(order)
        self.tag_weights = [0.0] * len(self.tags)
        for rank, index in enumerate(order):
            self.tag_weights[index] = 1.0 / (rank + 8)
        self.media = [f"minh-hoa-{i}.svg" for i in range(1, 5)]

    # ---- values filled into sentences ----

    def values(self, day: date) -> dict[str, str]:
        r = self.rng
        n1, n2, n3 = r.randint(120, 35_000), r.randint(20_000, 900_000), r.randint(1_000, 30_000)
        n4, n5, n6 = r.randint(3, 95), r.randint(150, 4_800), r.randint(2, 12)
        money = r.randint(100, 9_999)
        pct, pct2 = r.randint(35, 99), r.randint(80, 97)
        pct3, pct4 = r.randint(1, 9), r.randint(10, 30)
        target = day + timedelta(days=r.randint(30, 330))
        return {
            "vi": {
                "n1": vi_number(n1), "n2": vi_number(n2), "n3": vi_number(n3), "n4": str(n4), "n5": vi_number(n5),
                "n6": str(n6), "money": vi_number(money), "pct": str(pct), "pct2": f"{pct2},{r.randint(0, 9)}",
                "pct3": str(pct3), "pct4": str(pct4), "months": str(r.randint(3, 11)),
                "ddmmyyyy": target.strftime("%d/%m/%Y"), "dm": f"{day.day}/{day.month}",
            },
            "en": {
                "n1": en_number(n1), "n2": en_number(n2), "n3": en_number(n3), "n4": str(n4), "n5": en_number(n5),
                "n6": str(n6), "money": en_number(money), "pct": str(pct), "pct2": f"{pct2}.{r.randint(0, 9)}",
                "pct3": str(pct3), "pct4": str(pct4), "months": str(r.randint(3, 11)),
                "date_en": f"{target.day} {MONTHS_EN[target.month - 1]} {target.year}",
                "dm_en": f"{day.day} {MONTHS_EN[day.month - 1]}",
            },
        }

    # ---- one article ----

    def article(self, index: int, used_slugs: set[str], stats_ids: list[str], event_ids: list[str]) -> dict:
        r = self.rng
        day = FIRST_DAY + timedelta(days=r.randrange(DAYS))
        prov = r.choice(PROVINCES)
        dist = r.choice(DISTRICTS)
        common = {"prov": prov, "dist": dist, "off": r.choice(OFFICIALS), "year": str(day.year),
                  "month": str(day.month), "month_en": MONTHS_EN[day.month - 1],
                  "name": r.choice(["Hoàng Thị Mai", "Lý Thị Hoa", "Nông Thị Lan", "Vi Thị Thu", "Lường Thị Xuân"]),
                  "name2": r.choice(["Hoàng Văn Toàn", "Lý Văn Sơn", "Nông Văn Dũng", "Vi Văn Thành", "Lường Văn Hải"])}
        title_vi, title_en = r.choice(TITLES)
        title_vi, title_en = title_vi.format(**common), title_en.format(**common)
        slug = fold(title_vi)
        k = 2
        while slug in used_slugs:  # same place, topic and year twice: number them like an editor would
            title_vi_k = f"{title_vi} (kỳ {k})"
            slug = fold(title_vi_k)
            if slug not in used_slugs:
                title_vi, title_en = title_vi_k, f"{title_en} (part {k})"
            k += 1
        used_slugs.add(slug)
        base = f"{day.isoformat()}-{slug[:60].rstrip('-')}-{index:05d}"
        translated = index % VI_ONLY_SHARE != 3
        timed = r.random() < 0.3
        when = f"{day.isoformat()}T{r.randint(6, 20):02d}:{r.choice(['00', '15', '30', '45'])}" if timed else day.isoformat()
        authors = sorted(r.sample(AUTHORS, r.choice([1, 1, 1, 2])))
        tag_indexes: list[int] = []
        while len(tag_indexes) < r.randint(3, 5) or not tag_indexes:
            pick = r.choices(range(len(self.tags)), weights=self.tag_weights)[0]
            if pick not in tag_indexes:
                tag_indexes.append(pick)
        fields = {
            "date": when,
            "lastmod": (day + timedelta(days=r.randint(1, 20))).isoformat() if r.random() < 0.1 else None,
            "dateline": r.choice(DATELINES) if r.random() < 0.5 else None,
            "source": r.choice(OUTLETS) if r.random() < 0.6 else None,
            "authors": authors,
            "tags": [self.tags[i] for i in tag_indexes],
            "cover": r.choice(self.media) if r.random() < 0.3 else None,
            "summary": r.random() < 0.7,
        }
        stats_id = r.choice(stats_ids) if stats_ids and self.shortcodes and r.random() < 0.1 else None
        event_id = r.choice(event_ids) if event_ids and self.shortcodes and r.random() < 0.1 else None
        related = sorted(r.sample(event_ids, 1)) if event_ids and r.random() < 0.1 else []
        body = self.body(day, common, stats_id, event_id)
        return {"index": index, "base": base, "title": (title_vi, title_en), "translated": translated,
                "fields": fields, "body": body, "events": related, "day": day}

    def body(self, day: date, common: dict, stats_id: str | None, event_id: str | None) -> dict[str, str]:
        """Vietnamese and English bodies with the same structure (about 4 KB in Vietnamese)."""
        r = self.rng
        vals = self.values(day)
        fill = {lang: {**common, **vals[lang]} for lang in ("vi", "en")}
        blocks: list[tuple[str, str]] = []  # (vi, en) Markdown blocks

        pool = r.sample(SENTENCES, len(SENTENCES))  # no sentence twice in one body

        def para(count: int) -> None:
            picks = [pool.pop() for _ in range(count)]
            blocks.append((" ".join(s[0] for s in picks).format(**fill["vi"]),
                           " ".join(s[1] for s in picks).format(**fill["en"])))

        headings = r.sample(HEADINGS, 2)
        figures = r.sample(FIGURE_CAPTIONS, 2)
        images = r.sample(self.media, 2)
        para(2)  # the lead
        para(3)
        para(3)
        blocks.append((f"## {headings[0][0]}".format(**fill["vi"]), f"## {headings[0][1]}".format(**fill["en"])))
        para(3)
        alt_vi, cap_vi, alt_en, cap_en = figures[0]
        blocks.append((f'![{alt_vi}]({images[0]} "{cap_vi}")'.format(**fill["vi"]),
                       f'![{alt_en}]({images[0]} "{cap_en}")'.format(**fill["en"])))
        para(2)
        items = r.sample(LIST_ITEMS, r.randint(3, 5))
        numbered = r.random() < 0.4
        marker = (lambda i: f"{i}.") if numbered else (lambda i: "-")
        blocks.append(("\n".join(f"{marker(i)} {it[0]}" for i, it in enumerate(items, 1)).format(**fill["vi"]),
                       "\n".join(f"{marker(i)} {it[1]}" for i, it in enumerate(items, 1)).format(**fill["en"])))
        if stats_id:
            blocks.append((f'{{{{< stats "{stats_id}" >}}}}', f'{{{{< stats "{stats_id}" >}}}}'))
        blocks.append((f"## {headings[1][0]}".format(**fill["vi"]), f"## {headings[1][1]}".format(**fill["en"])))
        rows = r.randint(3, 5)
        values = [(r.choice(DISTRICTS), r.randint(500, 90_000), r.randint(100, 9_000)) for _ in range(rows)]
        blocks.append((
            "| Địa bàn | Tham gia BHXH | Trong đó tự nguyện |\n|---|---:|---:|\n"
            + "\n".join(f"| {d} | {vi_number(a)} | {vi_number(b)} |" for d, a, b in values),
            "| Area | Social insurance | Of which voluntary |\n|---|---:|---:|\n"
            + "\n".join(f"| {d} | {en_number(a)} | {en_number(b)} |" for d, a, b in values),
        ))
        para(3)
        alt_vi, cap_vi, alt_en, cap_en = figures[1]
        blocks.append((f'![{alt_vi}]({images[1]} "{cap_vi}")'.format(**fill["vi"]),
                       f'![{alt_en}]({images[1]} "{cap_en}")'.format(**fill["en"])))
        para(3)
        if event_id:
            blocks.append((f'{{{{< event "{event_id}" >}}}}', f'{{{{< event "{event_id}" >}}}}'))
        footnote = r.random() < 0.15
        para(1)
        if footnote:
            vi, en = blocks[-1]
            blocks[-1] = (vi + "[^1]", en + "[^1]")
            blocks.append((f"[^1]: Theo {r.choice(OUTLETS)}, số liệu đến ngày {fill['vi']['ddmmyyyy']}.",
                           f"[^1]: According to {r.choice(OUTLETS)}, figures as of {fill['en']['date_en']}."))
        # a **bold** lead-in on the second paragraph, as editors write
        blocks[1] = tuple(bold_lead(text) for text in blocks[1])
        return {"vi": "\n\n".join(b[0] for b in blocks) + "\n", "en": "\n\n".join(b[1] for b in blocks) + "\n"}

    # ---- files ----

    def front_matter(self, art: dict, lang: str) -> str:
        f = art["fields"]
        title = art["title"][0 if lang == "vi" else 1]
        lines = ["---", f"title: {yaml_str(title)}"]
        lines.append(f"date: {f['date']}" if "T" not in f["date"] else f"date: \"{f['date']}\"")
        if f["lastmod"]:
            lines.append(f"lastmod: {f['lastmod']}")
        if f["dateline"]:
            lines.append(f"dateline: {yaml_str(f['dateline'])}")
        if f["source"]:
            lines.append(f"source: {yaml_str(f['source'])}")
        lines.append("authors: [" + ", ".join(yaml_str(a) for a in f["authors"]) + "]")
        lines.append("tags: [" + ", ".join(yaml_str(t[0 if lang == "vi" else 1]) for t in f["tags"]) + "]")
        if art["events"]:
            lines.append("events: [" + ", ".join(art["events"]) + "]")
        if f["cover"]:
            alt = "Ảnh minh hoạ (không phải ảnh chụp)" if lang == "vi" else "Illustration (not a photograph)"
            lines += [f"image: {f['cover']}", f"image_alt: {yaml_str(alt)}"]
        if f["summary"]:
            first = art["body"][lang].split("\n\n", 1)[0]
            lines.append(f"summary: {yaml_str(first.split('. ')[0].rstrip('.') + '.')}")
        lines.append("---")
        return "\n".join(lines) + "\n\n"

    def events(self, count: int) -> list[dict]:
        r = self.rng
        kinds = [
            ("Lễ ra quân Tháng vận động BHXH toàn dân tại {prov}", "Campaign month launch in {prov}", "launch"),
            ("Hội nghị đối thoại chính sách BHXH tại {prov}", "Social insurance policy dialogue in {prov}", "campaign"),
            ("Hạn hoàn thành chỉ tiêu BHXH tự nguyện của {prov}", "Deadline for {prov}'s voluntary insurance target", "deadline"),
            ("Ngày hội BHXH toàn dân tại {prov}", "Universal social insurance fair in {prov}", "campaign"),
            ("Tập huấn đại lý thu tại {prov}", "Training for collection agents in {prov}", "launch"),
        ]
        events = []
        for k in range(count):
            prov = r.choice(PROVINCES)
            vi, en, category = r.choice(kinds)
            start = FIRST_DAY + timedelta(days=r.randrange(DAYS))
            ident = f"{fold(prov)}-{start.year}-{k + 1:04d}"
            event = {"id": ident, "title": (vi.format(prov=prov), en.format(prov=prov)), "category": category,
                     "start": start, "prov": prov, "articles": []}
            shape = r.random()
            if shape < 0.03:
                event["yearly"] = True
                event["end"] = start + timedelta(days=r.randint(0, 20))
            elif shape < 0.3:
                event["end"] = start + timedelta(days=r.randint(1, 6))
            elif shape < 0.5:
                hour = r.randint(7, 15)
                event["start_time"] = f"{hour:02d}:{r.choice(['00', '30'])}"
                event["end_time"] = f"{hour + 2:02d}:00"
            events.append(event)
        return events

    def event_yaml(self, ev: dict) -> str:
        vi, en = ev["title"]
        prov = ev["prov"]
        lines = ["title:", f"  vi: {yaml_str(vi)}", f"  en: {yaml_str(en)}", "description:",
                 "  vi: " + yaml_str(f"Sự kiện của chiến dịch BHXH toàn dân tại tỉnh {prov}."),
                 "  en: " + yaml_str(f"An event of the universal social insurance campaign in {prov} province."),
                 "location:", "  vi: " + yaml_str(f"Tỉnh {prov}"), "  en: " + yaml_str(f"{prov} province")]
        if "start_time" in ev:
            lines.append(f"start: \"{ev['start'].isoformat()} {ev['start_time']}\"")
            lines.append(f"end: \"{ev['start'].isoformat()} {ev['end_time']}\"")
        else:
            lines.append(f"start: {ev['start'].isoformat()}")
            if "end" in ev:
                lines.append(f"end: {ev['end'].isoformat()}")
        if ev.get("yearly"):
            lines.append("recurrence: yearly")
            lines.append(f"until: {min(ev['start'].year + 4, 2024)}-12-31")
        lines.append(f"category: {ev['category']}")
        if ev["articles"]:
            lines.append("articles:")
            lines += [f"  - {base}" for base in ev["articles"]]
        return "\n".join(lines) + "\n"

    def stats(self, count: int) -> list[tuple[str, str]]:
        """(id, YAML) snapshots: a few regions, each with a monthly time series."""
        r = self.rng
        regions = sorted(r.sample(PROVINCES, min(len(PROVINCES), max(1, count // 10))), key=fold)
        snapshots = []
        used: set[str] = set()
        for k in range(count):
            region = regions[k % len(regions)]
            while True:
                as_of = date(r.randint(2015, 2024), r.randint(1, 12), r.randint(1, 28))
                ident = f"{fold(region)}-{as_of.year}-{as_of.month:02d}"
                if ident not in used:
                    break
            used.add(ident)
            bhxh = r.randint(20_000, 900_000)
            voluntary = r.randint(1_000, bhxh // 5)
            target = voluntary + r.randint(1_000, 20_000)
            text = f"""region:
  vi: {yaml_str(region)}
  en: {yaml_str(region)}
source:
  vi: {yaml_str(f'BHXH tỉnh {region}')}
  en: {yaml_str(f'{region} provincial social insurance office')}
as_of: {as_of.isoformat()}
figures:
  - key: bhxh
    label:
      vi: Người tham gia BHXH
      en: Social insurance participants
    value: {bhxh}
  - key: bhxh_tu_nguyen
    label:
      vi: Người tham gia BHXH tự nguyện
      en: Voluntary social insurance participants
    value: {voluntary}
    part_of: bhxh
    target: {target}
    target_qualifier: more_than
    target_label:
      vi: Chỉ tiêu năm {as_of.year}
      en: {as_of.year} target
    target_date: {as_of.year}-12-31
  - key: bhyt
    label:
      vi: Người tham gia BHYT
      en: Health insurance participants
    value: {r.randint(100_000, 3_000_000)}
  - key: chi_tra_qua_buu_dien
    label:
      vi: Người hưởng lương hưu, trợ cấp xã hội được chi trả qua bưu điện
      en: Pensioners and social allowance recipients paid through the post office
    value: {r.randint(5_000, 90_000)}
    qualifier: nearly
"""
            snapshots.append((ident, text))
        return snapshots


SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="675" viewBox="0 0 1200 675" role="img" aria-labelledby="t">
  <title id="t">Ảnh minh hoạ {k}, không phải ảnh chụp / Illustration {k}, not a photograph</title>
  <rect width="1200" height="675" fill="{bg}"/>
  <rect x="24" y="24" width="1152" height="627" fill="none" stroke="#a39d90" stroke-width="4" stroke-dasharray="18 12"/>
  <g fill="#8a8476"><circle cx="{cx}" cy="250" r="46"/><path d="M{x0} 400 q0-96 76-96 t76 96z"/></g>
</svg>
"""


def copy_site_files(repo: Path, out: Path, per_page: int) -> None:
    shutil.copytree(repo / "templates", out / "templates", ignore=shutil.ignore_patterns("__pycache__"))
    config = (repo / "site_config.yaml").read_text(encoding="utf-8")
    config, count = re.subn(r"(?m)^per_page:\s*\d+.*$", f"per_page: {per_page}", config)
    if count != 1:
        raise SystemExit("gen_corpus: site_config.yaml has no 'per_page:' line to set")
    (out / "site_config.yaml").write_text(config, encoding="utf-8")


def generate(n: int, out: Path, seed: int, per_page: int, shortcodes: bool, sections: bool, repo: Path) -> dict:
    if out.exists():
        shutil.rmtree(out)
    (out / "content" / "articles").mkdir(parents=True)
    (out / "content" / "media").mkdir(parents=True)
    copy_site_files(repo, out, per_page)
    corpus = Corpus(n, seed, shortcodes, sections)
    for k, name in enumerate(corpus.media, start=1):
        svg = SVG.format(k=k, bg=["#e7e3da", "#dfe7da", "#dadfe7", "#e7dae3"][k - 1], cx=200 + 150 * k, x0=124 + 150 * k)
        (out / "content" / "media" / name).write_text(svg, encoding="utf-8")

    events = corpus.events(max(5, n // 20)) if sections else []
    stats = corpus.stats(max(1, n // 50)) if sections else []
    event_ids = [e["id"] for e in events]
    stats_ids = [ident for ident, _ in stats]

    used_slugs: set[str] = set()
    articles = [corpus.article(i, used_slugs, stats_ids, event_ids) for i in range(n)]
    # Events name a few articles of their month: both directions of the link are exercised.
    by_month: dict[tuple[int, int], list[str]] = {}
    for art in articles:
        by_month.setdefault((art["day"].year, art["day"].month), []).append(art["base"])
    for ev in events:
        near = sorted(by_month.get((ev["start"].year, ev["start"].month), []))
        if near:
            ev["articles"] = sorted(corpus.rng.sample(near, min(len(near), corpus.rng.randint(1, 3))))

    files = 0
    body_bytes = 0
    for art in articles:
        for lang in ("vi", "en") if art["translated"] else ("vi",):
            text = corpus.front_matter(art, lang) + art["body"][lang]
            path = out / "content" / "articles" / f"{art['base']}.{lang}.md"
            path.write_text(text, encoding="utf-8")
            files += 1
            body_bytes += len(art["body"][lang].encode("utf-8"))
    if sections:
        (out / "content" / "calendar").mkdir()
        (out / "content" / "stats").mkdir()
        for ev in events:
            (out / "content" / "calendar" / f"{ev['id']}.yaml").write_text(corpus.event_yaml(ev), encoding="utf-8")
        for ident, text in stats:
            (out / "content" / "stats" / f"{ident}.yaml").write_text(text, encoding="utf-8")

    vi_bytes = [len(a["body"]["vi"].encode("utf-8")) for a in articles]
    manifest = {
        "n": n, "seed": seed, "per_page": per_page, "shortcodes": shortcodes, "sections": sections,
        "article_files": files, "vi_articles": n, "en_articles": sum(a["translated"] for a in articles),
        "events": len(events), "stats_snapshots": len(stats),
        "mean_vi_body_bytes": round(sum(vi_bytes) / max(1, len(vi_bytes))),
        "mean_body_bytes": round(body_bytes / max(1, files)),
        # The article the benchmark edits: a translated one in the middle of the archive.
        "edit_article": next(a["base"] for a in articles[n // 2:] + articles if a["translated"]),
    }
    (out / "bench-corpus.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("n", type=int, help="number of articles (each with an English translation, but 10%%)")
    p.add_argument("out", type=Path, help="site folder to create (replaced if it exists)")
    p.add_argument("--seed", type=int, default=8)
    p.add_argument("--per-page", type=int, default=10)
    p.add_argument("--no-shortcodes", action="store_true", help="leave {{< stats >}} and {{< event >}} out of bodies")
    p.add_argument("--no-sections", action="store_true", help="write no content/calendar/ nor content/stats/ files")
    p.add_argument("--repo", type=Path, default=REPO, help="where templates/ and site_config.yaml come from")
    args = p.parse_args(argv)
    if args.n < 1:
        p.error("N must be at least 1")
    sections = not args.no_sections
    manifest = generate(args.n, args.out, args.seed, args.per_page, sections and not args.no_shortcodes,
                        sections, args.repo)
    print(json.dumps(manifest, ensure_ascii=False), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
