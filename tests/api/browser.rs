//! The console in a real browser: Chromium (Debian's `chromium` and `chromium-driver`) driven over
//! WebDriver. Elements are found as a person finds them, by their label's text and a button's
//! text. Without a browser on the machine the tests say so and pass; with
//! `GONGKAI_REQUIRE_BROWSER=1` (as in CI) they fail instead. A failing test leaves a screenshot
//! in `target/browser-failures/`; a passing run refreshes the screenshots in `docs/screenshots/`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use futures_util::FutureExt as _;
use gongkai::domain::Role;
use serde_json::json;

use crate::helpers::{china_today, spawn_app, TestApp};

type Check<T = ()> = Result<T, String>;

/// A WebDriver session on a Chromium of its own (fresh profile), with the driver process.
struct Browser {
    client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names.iter().find_map(|name| std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| p.is_file()))
}

/// A browser, or `None` (with the reason printed) when the machine has none and none is required.
async fn browser() -> Option<Browser> {
    let required = std::env::var("GONGKAI_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    let missing = |why: String| {
        assert!(!required, "GONGKAI_REQUIRE_BROWSER=1 but {why}");
        println!("browser test skipped: {why} (apt-get install chromium chromium-driver; GONGKAI_REQUIRE_BROWSER=1 makes this a failure)");
        None
    };
    let Some(driver_path) = find_program(&["chromedriver"]) else {
        return missing("chromedriver is not installed".into());
    };
    let Some(chromium) = find_program(&["chromium", "chromium-browser", "google-chrome"]) else {
        return missing("no chromium binary is installed".into());
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let driver = Command::new(driver_path)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("chromedriver does not start: {e}"));
    let profile = tempfile::tempdir().unwrap();
    let args = vec![
        "--headless".to_string(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-quic".into(),
        "--no-first-run".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--disable-dev-shm-usage".into(),
        "--window-size=1280,1000".into(),
        "--lang=zh-CN".into(),
        format!("--user-data-dir={}", profile.path().display()),
    ];
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("browserName".into(), json!("chrome"));
    capabilities.insert("goog:chromeOptions".into(), json!({ "binary": chromium, "args": args }));
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let url = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    let client = loop {
        match ClientBuilder::new(connector.clone()).capabilities(capabilities.clone()).connect(&url).await {
            Ok(client) => break client,
            Err(e) if started.elapsed() < Duration::from_secs(30) => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("no WebDriver session after 30 s: {e}"),
        }
    };
    Some(Browser { client, driver, _profile: profile })
}

/// Run a browser test; on failure (an `Err` or a panic) save a screenshot and fail.
async fn run<F, Fut>(name: &str, test: F)
where
    F: FnOnce(Client, TestApp) -> Fut,
    Fut: std::future::Future<Output = Check>,
{
    let Some(browser) = browser().await else { return };
    let app = spawn_app().await;
    let client = browser.client.clone();
    let outcome = std::panic::AssertUnwindSafe(test(client.clone(), app)).catch_unwind().await;
    let failure = match outcome {
        Ok(Ok(())) => None,
        Ok(Err(message)) => Some(message),
        Err(panic) => Some(
            panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default(),
        ),
    };
    if let Some(message) = failure {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-failures");
        std::fs::create_dir_all(&dir).unwrap();
        let shot = dir.join(format!("{name}.png"));
        let url = client.current_url().await.map(|u| u.to_string()).unwrap_or_default();
        if let Ok(png) = client.screenshot().await {
            std::fs::write(&shot, png).unwrap();
        }
        let _ = client.close().await;
        panic!("{name} failed at {url}: {message}\nscreenshot: {}", shot.display());
    }
    let _ = client.close().await;
    drop(browser);
}

fn fail<E: std::fmt::Display>(what: &str) -> impl FnOnce(E) -> String + '_ {
    move |e| format!("{what}: {e}")
}

/// The control a label names: `<label for=…>` with this text (the text before any hint).
async fn labelled(client: &Client, label: &str) -> Check<fantoccini::elements::Element> {
    let xpath = format!("//label[normalize-space(text()[1])='{label}']");
    let element = client.find(Locator::XPath(&xpath)).await.map_err(fail(&format!("no label 「{label}」")))?;
    let id = element.attr("for").await.map_err(fail("label"))?.ok_or(format!("label 「{label}」 has no for="))?;
    client.find(Locator::Id(&id)).await.map_err(fail(&format!("label 「{label}」 names no control")))
}

async fn fill(client: &Client, label: &str, text: &str) -> Check {
    let input = labelled(client, label).await?;
    input.clear().await.map_err(fail(label))?;
    input.send_keys(text).await.map_err(fail(label))
}

async fn choose(client: &Client, label: &str, option: &str) -> Check {
    let select = labelled(client, label).await?;
    select.select_by_label(option).await.map_err(fail(&format!("{label}: {option}")))
}

/// Click and wait until the page was replaced (the old document's root goes stale), so that
/// what is read next belongs to the new page even when its address is the same.
async fn click_and_wait(client: &Client, element: fantoccini::elements::Element, what: &str) -> Check {
    let old = client.find(Locator::Css("html")).await.map_err(fail("html"))?;
    element.click().await.map_err(fail(what))?;
    let started = Instant::now();
    while old.tag_name().await.is_ok() {
        if started.elapsed() > Duration::from_secs(10) {
            return Err(format!("clicking 「{what}」 loaded no new page"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

async fn press(client: &Client, button: &str) -> Check {
    let xpath = format!("//button[normalize-space(.)='{button}']");
    let element = client.find(Locator::XPath(&xpath)).await.map_err(fail(&format!("no button 「{button}」")))?;
    click_and_wait(client, element, button).await
}

async fn follow(client: &Client, link: &str) -> Check {
    let element = client.find(Locator::LinkText(link)).await.map_err(fail(&format!("no link 「{link}」")))?;
    click_and_wait(client, element, link).await
}

async fn text_of(client: &Client) -> Check<String> {
    client.find(Locator::Css("body")).await.map_err(fail("body"))?.text().await.map_err(fail("body text"))
}

async fn path_of(client: &Client) -> Check<String> {
    let url = client.current_url().await.map_err(fail("url"))?;
    Ok(url.path().to_string())
}

async fn wait_for_text(client: &Client, text: &str) -> Check<String> {
    let started = Instant::now();
    loop {
        // While the next page loads there may be no body yet: that is "not yet", not a failure.
        let body = text_of(client).await.unwrap_or_default();
        if body.contains(text) {
            return Ok(body);
        }
        if started.elapsed() > Duration::from_secs(10) {
            return Err(format!("「{text}」 did not appear; the page says: {body}"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn ensure(condition: bool, message: impl Into<String>) -> Check {
    if condition {
        Ok(())
    } else {
        Err(message.into())
    }
}

/// Save a screenshot of the page for the README (`docs/screenshots/NAME.png`), the window made
/// as tall as the page first.
async fn document(client: &Client, name: &str) -> Check {
    let height = client
        .execute("return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight);", vec![])
        .await
        .map_err(fail("page height"))?
        .as_u64()
        .unwrap_or(1000);
    let height = u32::try_from(height.clamp(600, 4000)).unwrap_or(1000) + 120;
    client.set_window_size(1280, height).await.map_err(fail("window size"))?;
    let png = client.screenshot().await.map_err(fail("screenshot"))?;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
    std::fs::create_dir_all(&dir).map_err(fail("docs/screenshots"))?;
    std::fs::write(dir.join(format!("{name}.png")), png).map_err(fail("write screenshot"))?;
    client.set_window_size(1280, 1000).await.map_err(fail("window size"))
}

async fn sign_in(client: &Client, app: &TestApp, login: &str, password: &str) -> Check {
    client.goto(&app.url("/")).await.map_err(fail("open /"))?;
    ensure(path_of(client).await? == "/login", "/ leads a stranger to the sign-in page")?;
    fill(client, "用户名", login).await?;
    fill(client, "密码", password).await?;
    press(client, "登录").await?;
    wait_for_text(client, "工作台").await?;
    ensure(path_of(client).await? == "/dashboard", "signed in, the dashboard is shown")
}

#[tokio::test]
async fn a_clerk_registers_a_request_finds_it_and_opens_it_from_the_report() {
    run("a_clerk_registers_a_request", |client, app| async move {
        let agency = app.agency("NS", None).await;
        app.console_user("李登记", "lideng", "密码是八个字以上", Role::Clerk, Some(agency)).await;
        sign_in(&client, &app, "LiDeng", "密码是八个字以上").await?;

        follow(&client, "登记申请").await?;
        wait_for_text(&client, "申请人类型").await?;
        choose(&client, "申请人类型", "自然人").await?;
        fill(&client, "姓名或名称", "王五").await?;
        fill(&client, "证件号码", "110105194912310021").await?;
        // The check character is checked as one types, before anything is sent.
        wait_for_text(&client, "居民身份证号码校验码（最后一位）不正确，应为 X").await?;
        choose(&client, "申请方式", "当面提交").await?;
        let received = labelled(&client, "收到申请日期").await?.prop("value").await.map_err(fail("date"))?;
        ensure(
            received.as_deref() == Some(china_today().to_string().as_str()) || received.is_some(),
            "the receipt date defaults to today",
        )?;
        fill(&client, "申请内容", "2018年南山区棚户区改造补偿标准文件").await?;
        document(&client, "intake").await?;
        press(&client, "登记").await?;
        // The server's answer is the truth: the same message, next to the field, input kept.
        let page = wait_for_text(&client, "居民身份证号码校验码（最后一位）不正确").await?;
        ensure(page.contains("未能保存"), "the form says nothing was saved")?;
        let kept = labelled(&client, "证件号码").await?.prop("value").await.map_err(fail("value"))?;
        ensure(kept.as_deref() == Some("110105194912310021"), format!("the typed number is kept: {kept:?}"))?;
        let name = labelled(&client, "姓名或名称").await?.prop("value").await.map_err(fail("value"))?;
        ensure(name.as_deref() == Some("王五"), "the name is kept")?;

        fill(&client, "证件号码", "11010519491231002X").await?;
        wait_for_text(&client, "校验码正确").await?;
        press(&client, "登记").await?;
        let page = wait_for_text(&client, "登记完成").await?;
        let number = client
            .find(Locator::Id("case-number"))
            .await
            .map_err(fail("case number"))?
            .text()
            .await
            .map_err(fail("text"))?;
        ensure(number.starts_with("NS-") && number.len() == "NS-2026-00001".len(), format!("a case number: {number}"))?;
        ensure(page.contains("答复期限") && page.contains("打印受理回执"), "due date and the acknowledgement")?;

        follow(&client, "案件").await?;
        wait_for_text(&client, &number).await?;
        follow(&client, &number).await?;
        let page = wait_for_text(&client, "答复期限是怎样计算的").await?;
        ensure(page.contains("11010519491231002X") && page.contains("王五"), "the case page shows the applicant")?;
        ensure(page.contains("收到申请") && page.contains("政府信息公开申请受理回执"), "timeline and letters")?;
        document(&client, "case").await?;
        follow(&client, "工作台").await?;
        wait_for_text(&client, "办理中的案件").await?;
        document(&client, "dashboard").await?;

        let year = chrono::Utc::now().format("%Y").to_string();
        client.goto(&app.url(&format!("/reports?agency_id={agency}&year={year}"))).await.map_err(fail("report"))?;
        wait_for_text(&client, "三、收到和处理政府信息公开申请情况").await?;
        document(&client, "report").await?;
        // The natural-person column of the new requests holds this case: open it, then the case.
        let cell = client
            .find(Locator::XPath("//tr[@data-key='new_received']/td[1]/a"))
            .await
            .map_err(fail("the new_received × natural_person cell has no link"))?;
        ensure(cell.text().await.map_err(fail("cell"))? == "1", "one new request")?;
        click_and_wait(&client, cell, "the cell").await?;
        wait_for_text(&client, "本年新收政府信息公开申请数量").await?;
        follow(&client, &number).await?;
        let page = wait_for_text(&client, "答复期限是怎样计算的").await?;
        ensure(page.contains(&number), "the drill-down lands on the case")?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn the_identity_check_as_you_type_agrees_with_the_server() {
    run("the_identity_check_as_you_type", |client, app| async move {
        let agency = app.agency("NS", None).await;
        app.console_user("李登记", "lideng", "密码是八个字以上", Role::Clerk, Some(agency)).await;
        sign_in(&client, &app, "lideng", "密码是八个字以上").await?;
        client.goto(&app.url("/intake")).await.map_err(fail("intake"))?;
        for number in [
            "11010519491231002X",
            "110105194912310021",
            "11010519491331002X",
            "1101051949123100",
            "11010519491231002x",
            "11010519491231002Ｘ",
            "A1010519491231002X",
            // Right check characters, but an unknown province, born before 1900, born in the future.
            "990105194912310023",
            "110105189912310023",
            "110105299912310020",
        ] {
            let script = format!("return window.gongkaiIdentity.residentId({:?}.toUpperCase());", number);
            let answer = client.execute(&script, vec![]).await.map_err(fail("script"))?;
            let browser_ok = answer.as_str() == Some("");
            let today = china_today();
            let server_ok = gongkai::domain::identity::ResidentIdNumber::parse(number, today).is_ok();
            ensure(browser_ok == server_ok, format!("{number}: browser {answer}, server {server_ok}"))?;
        }
        for code in ["91350100M000100Y43", "91350100M000100Y44", "91350100M000100Y4", "91350100M000100YI3"] {
            let script = format!("return window.gongkaiIdentity.creditCode({code:?});");
            let answer = client.execute(&script, vec![]).await.map_err(fail("script"))?;
            let server_ok = gongkai::domain::identity::CreditCode::parse(code).is_ok();
            ensure(
                (answer.as_str() == Some("")) == server_ok,
                format!("{code}: browser {answer}, server {server_ok}"),
            )?;
        }
        // An applicant on file is recognised once the number is valid, and their particulars
        // can be taken over.
        let earlier = app.intake(&app.admin, agency, &china_today().to_string()).await;
        client.goto(&app.url("/intake")).await.map_err(fail("intake"))?;
        fill(&client, "证件号码", "11010519491231002X").await?;
        let page = wait_for_text(&client, "该申请人已有申请记录").await?;
        ensure(page.contains(earlier["case_number"].as_str().unwrap()), "the earlier request is listed")?;
        let take_over = client
            .find(Locator::XPath("//button[normalize-space(.)='沿用这些信息']"))
            .await
            .map_err(fail("沿用这些信息"))?;
        take_over.click().await.map_err(fail("沿用这些信息"))?;
        let phone = labelled(&client, "联系电话").await?.prop("value").await.map_err(fail("联系电话"))?;
        ensure(phone.as_deref() == Some("13800000000"), format!("the phone is taken over: {phone:?}"))?;
        Ok(())
    })
    .await;
}

/// Open a step's form on the case page (its `<details>`, by the step's name).
async fn open_step(client: &Client, step: &str) -> Check {
    let xpath = format!("//details[summary[normalize-space(.)='{step}']]");
    let details = client.find(Locator::XPath(&xpath)).await.map_err(fail(&format!("no step 「{step}」")))?;
    if details.attr("open").await.map_err(fail(step))?.is_none() {
        let summary = details.find(Locator::XPath("./summary")).await.map_err(fail(step))?;
        summary.click().await.map_err(fail(step))?;
    }
    Ok(())
}

#[tokio::test]
async fn an_officer_sends_a_correction_notice_decides_and_finds_the_case_from_the_report() {
    run("an_officer_sends_a_correction_notice", |client, app| async move {
        let agency = app.agency("NS", None).await;
        app.console_user("赵办理", "zhao", "密码是八个字以上", Role::Officer, Some(agency)).await;
        let today = china_today().to_string();
        let case = app.intake(&app.admin, agency, &today).await;
        let number = case["case_number"].as_str().unwrap().to_string();
        sign_in(&client, &app, "zhao", "密码是八个字以上").await?;
        follow(&client, "案件").await?;
        wait_for_text(&client, &number).await?;
        follow(&client, &number).await?;
        wait_for_text(&client, "办理步骤").await?;

        open_step(&client, "补正告知").await?;
        fill(&client, "需要补正的事项", "请写明所需文件的名称或文号").await?;
        press(&client, "补正告知").await?;
        let page = wait_for_text(&client, "已办理：补正告知").await?;
        ensure(page.contains("政府信息公开申请补正告知书"), "the correction notice is listed")?;
        ensure(page.contains("待补正"), format!("awaiting correction: {page}"))?;

        open_step(&client, "收到补正材料").await?;
        press(&client, "收到补正材料").await?;
        wait_for_text(&client, "已办理：收到补正材料").await?;

        open_step(&client, "作出答复").await?;
        // A decision without its outcome is refused at the field, and what was typed stays.
        fill(&client, "依据", "依照《政府信息公开条例》第三十六条第（二）项予以提供").await?;
        press(&client, "作出答复").await?;
        wait_for_text(&client, "未能保存").await?;
        let kept = labelled(&client, "依据").await?.prop("value").await.map_err(fail("依据"))?;
        ensure(kept.as_deref().is_some_and(|v| v.contains("第三十六条")), "the basis typed is kept")?;
        // The option's text carries the label and its article; chosen by its code.
        let outcome = labelled(&client, "办理结果").await?;
        outcome.select_by_value("disclosed").await.map_err(fail("办理结果"))?;
        document(&client, "case_steps").await?;
        press(&client, "作出答复").await?;
        let page = wait_for_text(&client, "已办理：作出答复").await?;
        ensure(page.contains("政府信息公开申请答复书"), "the decision letter is listed")?;

        let year = chrono::Utc::now().format("%Y").to_string();
        client.goto(&app.url(&format!("/reports?agency_id={agency}&year={year}"))).await.map_err(fail("report"))?;
        wait_for_text(&client, "三、收到和处理政府信息公开申请情况").await?;
        let cell = client
            .find(Locator::XPath("//tr[@data-key='disclosed']/td[1]/a"))
            .await
            .map_err(fail("the disclosed × natural_person cell has no link"))?;
        ensure(cell.text().await.map_err(fail("cell"))? == "1", "one disclosed request")?;
        click_and_wait(&client, cell, "the cell").await?;
        follow(&client, &number).await?;
        let page = wait_for_text(&client, "答复期限是怎样计算的").await?;
        ensure(page.contains(&number) && page.contains("予以公开"), "the drill-down lands on the decided case")?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn an_officer_writes_the_reports_text_and_finds_the_whole_document() {
    run("an_officer_writes_the_reports_text", |client, app| async move {
        let agency = app.agency("NS", None).await;
        app.console_user("王科员", "wangke", "密码是八个字以上", Role::Officer, Some(agency)).await;
        sign_in(&client, &app, "wangke", "密码是八个字以上").await?;
        client.goto(&app.url(&format!("/reports?agency_id={agency}&year=2021"))).await.map_err(fail("report"))?;
        wait_for_text(&client, "年度报告全文").await?;
        follow(&client, "编写文字部分（总体情况、存在的主要问题及改进情况、其他需要报告的事项）").await?;
        let page = wait_for_text(&client, "根据案件数据生成的句子").await?;
        // A new text starts from the sentences the figures offer.
        let offered = labelled(&client, "一、总体情况").await?.prop("value").await.map_err(fail("overview"))?;
        ensure(offered.is_some_and(|t| t.starts_with("2021年，本机关共收到政府信息公开申请0件")), "the overview sentence")?;
        ensure(page.contains("信息处理费"), "the fee sentence")?;
        fill(
            &client,
            "一、总体情况",
            "2021年，本机关认真贯彻落实《中华人民共和国政府信息公开条例》。\n\n（一）主动公开情况\n\n全年主动公开政府信息120条。",
        )
        .await?;
        fill(&client, "五、存在的主要问题及改进情况", "公开内容与公众需求还有差距。\n\n1.加大政策解读力度\n2.回应社会关切").await?;
        document(&client, "report-text").await?;
        press(&client, "保存为新版本").await?;
        let page = wait_for_text(&client, "已保存为第1版").await?;
        ensure(page.contains("第1版") && page.contains("王科员"), "the version with its author")?;
        let link = client.find(Locator::LinkText("下载Word文档（DOCX）")).await.map_err(fail("download link"))?;
        let href = link.attr("href").await.map_err(fail("href"))?.unwrap_or_default();
        ensure(href.contains("/reports/document?") && href.contains("format=docx"), format!("the download: {href}"))?;
        Ok(())
    })
    .await;
}

/// The element's text, found by id.
async fn text_by_id(client: &Client, id: &str) -> Check<String> {
    let element = client.find(Locator::Id(id)).await.map_err(fail(id))?;
    element.text().await.map_err(fail(id))
}

#[tokio::test]
async fn an_applicant_applies_online_a_clerk_confirms_and_the_applicant_follows_the_status() {
    run("online_application", |client, app| async move {
        let agency = app.agency("NS", None).await;
        let opened = app
            .client
            .patch(app.url(&format!("/api/v1/agencies/{agency}")))
            .bearer_auth(&app.admin)
            .json(&json!({"accepts_online_applications": true}))
            .send()
            .await
            .map_err(fail("open the agency"))?;
        ensure(opened.status().is_success(), "the agency is opened for online applications")?;
        app.console_user("李登记", "lideng", "密码是八个字以上", Role::Clerk, Some(agency)).await;

        client.goto(&app.url("/apply")).await.map_err(fail("open /apply"))?;
        wait_for_text(&client, "网上申请政府信息公开").await?;
        choose(&client, "申请人类型", "自然人").await?;
        fill(&client, "姓名或名称", "王五").await?;
        fill(&client, "身份证件号码", "11010519491231002X").await?;
        fill(&client, "电子邮箱", "wangwu@example.com").await?;
        choose(&client, "向哪个机关申请", "NS 机关").await?;
        fill(&client, "所需政府信息的描述", "2025年南山区棚户区改造补偿标准文件").await?;
        // The question a person reads and answers.
        let label = client.find(Locator::Css("label[for='f-challenge']")).await.map_err(fail("challenge"))?;
        let question = label.text().await.map_err(fail("question"))?;
        let numbers: Vec<i64> = question.split(' ').filter_map(|w| w.parse().ok()).collect();
        ensure(numbers.len() == 2, format!("an arithmetic question: {question}"))?;
        let answer = if question.contains('减') { numbers[0] - numbers[1] } else { numbers[0] + numbers[1] };
        fill(&client, &question, &answer.to_string()).await?;
        document(&client, "apply").await?;
        press(&client, "提交申请").await?;
        wait_for_text(&client, "申请已提交").await?;
        let number = text_by_id(&client, "submission-number").await?;
        let code = text_by_id(&client, "query-code").await?;
        ensure(number.starts_with("WS-") && code.len() == 12, format!("number {number} and code {code}"))?;

        sign_in(&client, &app, "lideng", "密码是八个字以上").await?;
        let board = wait_for_text(&client, "网上申请待确认").await?;
        ensure(board.contains(&number), "the submission waits on the dashboard")?;
        press(&client, "确认收到").await?;
        let page = wait_for_text(&client, "登记完成").await?;
        ensure(page.contains(&china_today().to_string()), "received today, the day of confirmation")?;

        client.goto(&app.url("/status")).await.map_err(fail("open /status"))?;
        fill(&client, "提交编号或案件编号", &number).await?;
        fill(&client, "查询码", &code).await?;
        press(&client, "查询").await?;
        let status = wait_for_text(&client, "机关已确认收到").await?;
        ensure(status.contains("政府信息公开申请受理回执"), "the acknowledgement is there to read")?;
        ensure(status.contains("答复期限的计算"), "the clock is explained")?;
        ensure(!status.contains("李登记"), "no staff name")?;
        document(&client, "status").await?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_supervisor_routes_a_case_the_department_signs_and_takes_it_and_the_supervisor_chases_it() {
    run("a_supervisor_routes_a_case", |client, app| async move {
        let office = app.agency("BGS", None).await;
        let dept = app.agency("CZJ", Some(office)).await;
        app.console_user("孙主任", "sun", "密码是八个字以上", Role::Supervisor, Some(office)).await;
        app.console_user("钱承办", "qian", "密码是八个字以上", Role::Officer, Some(dept)).await;
        let today = china_today().to_string();
        let case = app.intake(&app.admin, office, &today).await;
        let number = case["case_number"].as_str().unwrap().to_string();
        let case_path = format!("/cases/{}", case["id"]);

        sign_in(&client, &app, "sun", "密码是八个字以上").await?;
        client.goto(&app.url(&case_path)).await.map_err(fail("case"))?;
        wait_for_text(&client, "承办与督办").await?;
        open_step(&client, "转办").await?;
        choose(&client, "转办至", "CZJ 机关").await?;
        fill(&client, "转办说明", "请提供2018年度财政预算文件").await?;
        press(&client, "转办").await?;
        wait_for_text(&client, "已转办至CZJ 机关，待其签收或退回").await?;
        client.delete_all_cookies().await.map_err(fail("sign out"))?;

        sign_in(&client, &app, "qian", "密码是八个字以上").await?;
        follow(&client, "案件").await?;
        wait_for_text(&client, &number).await?;
        follow(&client, &number).await?;
        wait_for_text(&client, "承办与督办").await?;
        press(&client, "签收").await?;
        press(&client, "由我承办").await?;
        let page = wait_for_text(&client, "（本人）").await?;
        ensure(page.contains("签收单位：CZJ 机关"), format!("the signature is in the timeline: {page}"))?;
        client.delete_all_cookies().await.map_err(fail("sign out"))?;

        sign_in(&client, &app, "sun", "密码是八个字以上").await?;
        client.goto(&app.url(&case_path)).await.map_err(fail("case"))?;
        wait_for_text(&client, "承办与督办").await?;
        open_step(&client, "督办本案").await?;
        fill(&client, "督办事项", "请于本周内答复申请人").await?;
        // A date input's typing order depends on the browser's locale: set its value instead.
        let due = (china_today() + chrono::Duration::days(5)).to_string();
        let script = "document.getElementById('f-chase-due_on').value = arguments[0];";
        client.execute(script, vec![serde_json::json!(due)]).await.map_err(fail("督办期限"))?;
        choose(&client, "办理以下步骤后自动结束", "作出答复").await?;
        press(&client, "督办").await?;
        let page = wait_for_text(&client, "请于本周内答复申请人").await?;
        ensure(
            page.contains("进行中") && page.contains("办理“作出答复”后自动结束"),
            format!("the chase is open: {page}"),
        )?;
        client.find(Locator::Id("workflow")).await.map_err(fail("section"))?;
        document(&client, "case_workflow").await?;
        Ok(())
    })
    .await;
}
