"""Open one dashboard in headless Chromium as a Superset user and save a screenshot.

Run by tests/bi with the Superset virtualenv's python (selenium lives there). Reads one
JSON object on stdin (the password never goes through argv): base_url, username,
password, slug, expect (texts that must all appear), screenshot (path). Prints the
page's text as JSON on success; exits 1 with the reason otherwise.
"""

import json
import sys
import time

import requests
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

job = json.load(sys.stdin)
base = job["base_url"]

# Log in as the user: the CSRF token from the API is bound to the session cookie, the
# login form is posted with it (typing into the React form races its hydration).
s = requests.Session()
token = s.post(f"{base}/api/v1/security/login", json={
    "username": job["username"], "password": job["password"], "provider": "db"}).json()
csrf = s.get(f"{base}/api/v1/security/csrf_token/",
             headers={"Authorization": f"Bearer {token['access_token']}"}).json()["result"]
r = s.post(f"{base}/login/", data={"username": job["username"], "password": job["password"],
                                   "csrf_token": csrf}, allow_redirects=False)
if r.status_code not in (302, 303) or "session" not in s.cookies:
    sys.exit(f"form login refused: {r.status_code}")

opts = webdriver.ChromeOptions()
opts.binary_location = "/usr/bin/chromium"
for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--window-size=1600,2400", "--lang=id-ID"):
    opts.add_argument(arg)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
try:
    driver.get(f"{base}/health")
    driver.add_cookie({"name": "session", "value": s.cookies["session"], "path": "/"})
    driver.get(f"{base}/superset/dashboard/{job['slug']}/?standalone=1")
    deadline = time.monotonic() + job.get("timeout", 90)
    text = ""
    while time.monotonic() < deadline:
        text = driver.execute_script("return document.body.innerText") or ""
        missing = [t for t in job["expect"] if t not in text]
        loading = driver.execute_script(
            "return document.querySelectorAll('.loading, [aria-label=\"Loading\"]').length")
        if not missing and not loading:
            break
        time.sleep(0.5)
    else:
        driver.save_screenshot(job["screenshot"])
        sys.exit(f"missing on the dashboard {job['slug']}: {missing}")
    time.sleep(1.0)  # let the charts' animations settle before the screenshot
    driver.save_screenshot(job["screenshot"])
    print(json.dumps({"text": text}))
finally:
    driver.quit()
